import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

import { FakeSocket } from "./fakeSocket";

// The first screen a test file renders also loads its modules: on a busy machine that can
// take longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

// The shell opens the notifications socket: tests get a fake one they can drive.
beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal("WebSocket", FakeSocket);
});

afterEach(() => {
  cleanup();
});
