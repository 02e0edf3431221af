// Hash routes (#/calendar, #/posts/p_123): the server only ever serves index.html at `/`,
// and a reload or a shared link lands on the same page.
import { useSyncExternalStore } from "react";

export interface Route {
  path: string[]; // "#/posts/p_1?x=1" -> ["posts", "p_1"]
  query: URLSearchParams;
}

function current(): string {
  return window.location.hash.replace(/^#/, "") || "/calendar";
}

function subscribe(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, current);
  const [pathPart, queryPart = ""] = hash.split("?");
  return { path: pathPart.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(queryPart) };
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value) params.set(name, value);
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  window.location.hash = href(path, query).slice(1);
}
