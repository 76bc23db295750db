/**
 * Hand a JSON document to the browser as a file download. The document goes straight from
 * memory to the person's disk: it is never kept by the app or put in browser storage.
 */
export function downloadJson(filename: string, document_: unknown): void {
  const blob = new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Let the click start the download before the address is given up.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Today's date as YYYY-MM-DD, for file names. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
