// What each target would send (the validation answer's `previews`), drawn roughly the way its
// network shows a post: a feed post with its replies, a page post, a caption under media, a video,
// a Reddit submission or a Telegram message.
import type { Account, TargetPreview } from "../api/types";
import type { components } from "../api/schema";
import { network } from "../ui/networks";
import type { ComposerDraft, MediaItem } from "./draft";

type Step = components["schemas"]["StepPreview"];
type Family = "feed" | "page" | "visual" | "video" | "reddit" | "chat";

const FAMILY: Record<string, Family> = {
  x: "feed",
  threads: "feed",
  bluesky: "feed",
  mastodon: "feed",
  linkedin: "page",
  facebook: "page",
  google_business: "page",
  instagram: "visual",
  tiktok: "visual",
  pinterest: "visual",
  youtube: "video",
  reddit: "reddit",
  telegram: "chat",
};

export function familyOf(id: string): Family {
  return FAMILY[id] ?? "feed";
}

interface Who {
  name: string;
  handle: string;
}

function Avatar({ who, color }: { who: Who; color: string }) {
  return (
    <span className="pv-avatar" style={{ background: color }} aria-hidden="true">
      {(who.name.trim()[0] ?? "?").toUpperCase()}
    </span>
  );
}

function MediaGrid({ refs, media }: { refs: string[]; media: MediaItem[] }) {
  if (!refs.length) return null;
  return (
    <div className={`pv-media pv-media-${Math.min(refs.length, 4)}`}>
      {refs.slice(0, 4).map((ref, index) => {
        const item = media.find((m) => m.ref === ref);
        const src = item?.info?.thumbnails?.[0]?.url ?? (item?.state === "url" || /^https:\/\//.test(ref) ? ref : undefined);
        const kind = item?.info?.kind ?? "media";
        return (
          <div key={`${ref}-${index}`} className="pv-media-tile">
            {src ? <img src={src} alt={item?.info?.filename ?? "Attached media"} /> : <span>{kind}</span>}
            {kind === "video" && <span className="pv-play" aria-label="video">▶</span>}
          </div>
        );
      })}
      {refs.length > 4 && <span className="pv-more">+{refs.length - 4}</span>}
    </div>
  );
}

function LinkCard({ link }: { link: Step["link"] }) {
  if (!link) return null;
  let host = link.url;
  try {
    host = new URL(link.url).host;
  } catch {
    // keep the text as given
  }
  return (
    <div className="pv-link">
      <span className="pv-link-host">{host}</span>
      {link.title && <strong>{link.title}</strong>}
      {link.description && <span className="muted">{link.description}</span>}
    </div>
  );
}

function Body({ step, media }: { step: Step; media: MediaItem[] }) {
  return (
    <>
      {step.text && <p className="pv-text">{step.text}</p>}
      <MediaGrid refs={step.media} media={media} />
      <LinkCard link={step.link} />
    </>
  );
}

function Header({ who, color, meta }: { who: Who; color: string; meta?: string }) {
  return (
    <div className="pv-head">
      <Avatar who={who} color={color} />
      <span className="pv-who">
        <strong>{who.name}</strong> <span className="muted">{who.handle}</span>
        {meta && <span className="muted"> · {meta}</span>}
      </span>
    </div>
  );
}

function Replies({ steps, who, color, media }: { steps: Step[]; who: Who; color: string; media: MediaItem[] }) {
  if (!steps.length) return null;
  return (
    <ol className="pv-replies">
      {steps.map((step, index) => (
        <li key={index} className={`pv-reply pv-reply-${step.kind}`}>
          <span className="pv-reply-kind">{step.kind === "comment" ? "First comment" : `Part ${index + 2}`}</span>
          <Header who={who} color={color} />
          <Body step={step} media={media} />
        </li>
      ))}
    </ol>
  );
}

function PreviewCard({
  preview,
  who,
  title,
  subreddit,
  media,
}: {
  preview: TargetPreview;
  who: Who;
  title: string;
  subreddit: string;
  media: MediaItem[];
}) {
  const info = network(preview.network);
  const family = familyOf(preview.network);
  const [first, ...rest] = preview.steps;
  const post = first ?? { kind: "post" as const, text: "", media: [] };
  const parts = rest.filter((s) => s.kind === "part");
  const comments = rest.filter((s) => s.kind === "comment");
  return (
    <article
      className={`pv pv-${family} pv-net-${preview.network}`}
      style={{ ["--net" as string]: info.color }}
      data-testid="preview"
      data-platform={preview.network}
      aria-label={`${info.label} preview for ${who.handle}`}
    >
      <header className="pv-network">{info.label}</header>
      {family === "feed" && (
        <>
          <Header who={who} color={info.color} meta="now" />
          <Body step={post} media={media} />
          <Replies steps={[...parts, ...comments]} who={who} color={info.color} media={media} />
        </>
      )}
      {family === "page" && (
        <>
          <Header who={who} color={info.color} meta="Just now" />
          <Body step={post} media={media} />
          <Replies steps={comments} who={who} color={info.color} media={media} />
        </>
      )}
      {family === "visual" && (
        <>
          <MediaGrid refs={post.media} media={media} />
          {!post.media.length && <div className="pv-media-missing">No media: {info.label} needs an image or a video.</div>}
          {title && <p className="pv-title">{title}</p>}
          <p className="pv-text">
            <strong>{who.handle.replace(/^@/, "")}</strong> {post.text}
          </p>
          <LinkCard link={post.link} />
          <Replies steps={comments} who={who} color={info.color} media={media} />
        </>
      )}
      {family === "video" && (
        <>
          <MediaGrid refs={post.media} media={media} />
          {!post.media.length && <div className="pv-media-missing pv-video-missing">No video attached</div>}
          <p className="pv-title">{title || <span className="muted">No title yet</span>}</p>
          <Header who={who} color={info.color} />
          <p className="pv-text">{post.text}</p>
          <Replies steps={comments} who={who} color={info.color} media={media} />
        </>
      )}
      {family === "reddit" && (
        <>
          <p className="pv-sub muted">
            {subreddit ? `r/${subreddit}` : "r/(no subreddit yet)"} · Posted by u/{who.handle.replace(/^@/, "")}
          </p>
          <p className="pv-title">{title || <span className="muted">No title yet</span>}</p>
          <Body step={post} media={media} />
          <Replies steps={comments} who={who} color={info.color} media={media} />
        </>
      )}
      {family === "chat" && (
        <>
          <div className="pv-chat-name">
            <Avatar who={who} color={info.color} />
            <strong>{who.name}</strong>
          </div>
          <div className="pv-bubble">
            <Body step={post} media={media} />
          </div>
          {[...parts, ...comments].map((step, index) => (
            <div key={index} className="pv-bubble">
              <Body step={step} media={media} />
            </div>
          ))}
        </>
      )}
    </article>
  );
}

export function Previews({
  previews,
  networks,
  accounts,
  draft,
  stale,
}: {
  previews: TargetPreview[] | undefined;
  networks: string[]; // the order to show them in
  accounts: Account[];
  draft: ComposerDraft;
  stale: boolean;
}) {
  const rank = (p: TargetPreview) => (networks.includes(p.network) ? networks.indexOf(p.network) : networks.length);
  const shown = [...(previews ?? [])].sort((a, b) => rank(a) - rank(b));
  return (
    <section className="composer-previews" aria-labelledby="previews-title" aria-busy={stale}>
      <h2 id="previews-title">Previews</h2>
      {!shown.length ? (
        <p className="hint">Each chosen network's preview appears here once the post is checked.</p>
      ) : (
        <div className={`pv-list${stale ? " checks-stale" : ""}`}>
          {shown.map((preview) => {
            const account = accounts.find((a) => a.id === preview.account_id);
            const who = {
              name: account?.display_name || account?.name || network(preview.network).label,
              handle: `@${account?.username ?? "account"}`,
            };
            const version = draft.versions[preview.network];
            const subreddit = typeof version?.options.subreddit === "string" ? version.options.subreddit : "";
            return (
              <PreviewCard
                key={preview.account_id}
                preview={preview}
                who={who}
                title={version?.title || draft.title}
                subreddit={subreddit}
                media={draft.media}
              />
            );
          })}
        </div>
      )}
    </section>
  );
}
