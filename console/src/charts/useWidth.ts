import { useLayoutEffect, useRef, useState } from "react";

/** The element's content width in CSS pixels, kept up to date: charts draw at their real size
 * (a scaled viewBox would shrink the axis labels to nothing on a phone). */
export function useWidth<T extends HTMLElement>(fallback = 600) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(Math.floor(element.clientWidth), 200));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}
