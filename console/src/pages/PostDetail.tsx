export function PostDetail(_props: { postId: string }) {
  return <h1>PostDetail</h1>;
}
