// The post's media: a thumbnail per picture (uploads through GET /v1/media/{id}), a link for
// a video or a file with no picture to show.
import { api } from "../api/client";
import type { Media } from "../api/types";
import { useAsync } from "../ui/useAsync";

const VIDEO = /\.(mp4|mov|m4v|webm)(\?|$)/i;

export function MediaThumbs({ media }: { media: string[] }) {
  if (media.length === 0) return null;
  return (
    <ul className="media-thumbs" aria-label="Media">
      {media.map((item, index) => (
        <li key={`${item}-${index}`}>
          {item.startsWith("med_") ? <UploadThumb id={item} index={index} /> : <UrlThumb url={item} index={index} />}
        </li>
      ))}
    </ul>
  );
}

function UrlThumb({ url, index }: { url: string; index: number }) {
  if (VIDEO.test(url)) {
    return (
      <a className="media-file" href={url} target="_blank" rel="noopener noreferrer">
        Video {index + 1}
      </a>
    );
  }
  return (
    <a href={url} target="_blank" rel="noopener noreferrer">
      <img src={url} alt={`Media ${index + 1}`} loading="lazy" referrerPolicy="no-referrer" />
    </a>
  );
}

function UploadThumb({ id, index }: { id: string; index: number }) {
  const media = useAsync((signal) => api.get<Media>(`/v1/media/${id}`, undefined, signal), [id]);
  const thumb = media.data?.thumbnails?.[0];
  const name = media.data?.filename ?? `Media ${index + 1}`;
  if (thumb) return <img src={thumb.url} alt={name} width={thumb.width} height={thumb.height} loading="lazy" />;
  if (media.loading) return <span className="media-file">Loading…</span>;
  return (
    <span className="media-file" title={id}>
      {media.error ? `${id} (not found)` : name}
    </span>
  );
}
