import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { Loading } from "./Page";
import { LoadProblem } from "./Problem";

/**
 * A list read from the platform: loading, what went wrong, or the results. With `empty`, an
 * empty list says so in those words instead.
 */
export function QueryResults<Item>({
  query,
  what,
  empty,
  children,
}: {
  query: UseQueryResult<{ results: Item[] }>;
  what: string;
  empty?: string;
  children: (results: Item[]) => ReactNode;
}) {
  return (
    <>
      {query.isPending ? <Loading what={what} /> : null}
      {query.isError ? <LoadProblem error={query.error} /> : null}
      {query.data ? (
        query.data.results.length || empty === undefined ? children(query.data.results) : <p>{empty}</p>
      ) : null}
    </>
  );
}
