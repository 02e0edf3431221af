export function Analytics(_props: { postId?: string }) {
  return <h1>Analytics</h1>;
}
