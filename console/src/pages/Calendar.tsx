export function Calendar(_props: { query: URLSearchParams }) {
  return <h1>Calendar</h1>;
}
