export function Composer(_props: { postId?: string; day?: string }) {
  return <h1>Composer</h1>;
}
