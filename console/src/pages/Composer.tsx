// The composer: write a post for the chosen accounts, with each network's own version, media,
// a thread and a first comment; live checks and previews from POST /v1/posts/validate; then
// publish, schedule, save as a draft or send for approval. `postId` edits an existing post.
import { useMemo, useRef, useState, type FormEvent } from "react";
import { ApiError, api } from "../api/client";
import type { Account, Post } from "../api/types";
import { AccountPicker } from "../composer/AccountPicker";
import { Checks } from "../composer/Checks";
import { ContentTabs, type NetworkCounters } from "../composer/ContentTabs";
import { textCounter, titleCounter } from "../composer/counters";
import {
  EDITABLE,
  createBody,
  draftFromPost,
  hasMedia,
  networksOf,
  newDraft,
  scheduledAt,
  submitLabel,
  updateBody,
  validateBody,
  whenChoices,
  type ComposerDraft,
  type MediaItem,
} from "../composer/draft";
import { MediaPanel } from "../composer/MediaPanel";
import { NetworkOptions, OPTION_NETWORKS } from "../composer/NetworkOptions";
import { Previews } from "../composer/Previews";
import { detailsBySpot, type Spot } from "../composer/problems";
import { FirstComment, ThreadParts } from "../composer/ThreadParts";
import { useValidation } from "../composer/useValidation";
import { WhenPanel } from "../composer/WhenPanel";
import "../composer/composer.css";
import { useMe } from "../me";
import { href, navigate } from "../router";
import { ErrorNotice, Loading, Notice } from "../ui/feedback";
import { network } from "../ui/networks";
import { StatusBadge, statusLabel } from "../ui/StatusBadge";
import { useAsync } from "../ui/useAsync";

export function Composer({ postId, day }: { postId?: string; day?: string }) {
  const { can, me } = useMe();
  if (!can.edit) {
    return (
      <>
        <h1>Compose</h1>
        <Notice>
          Your key's role ({me.key.role}) can read posts but not write them. Ask an admin for an editor key to compose
          posts.
        </Notice>
      </>
    );
  }
  return <ComposerLoader key={postId ?? `new-${day ?? ""}`} postId={postId} day={day} />;
}

function ComposerLoader({ postId, day }: { postId?: string; day?: string }) {
  const accounts = useAsync(
    (signal) => api.get<{ accounts: Account[] }>("/v1/accounts", undefined, signal).then((r) => r.accounts),
    [],
  );
  const post = useAsync<Post | undefined>(
    (signal) =>
      postId ? api.get<Post>(`/v1/posts/${encodeURIComponent(postId)}`, undefined, signal) : Promise.resolve(undefined),
    [postId],
  );
  const title = postId ? "Edit post" : "New post";
  if (accounts.error || post.error) {
    return (
      <>
        <h1>{title}</h1>
        <ErrorNotice
          error={(accounts.error ?? post.error) as ApiError}
          onRetry={() => {
            accounts.reload();
            post.reload();
          }}
        />
      </>
    );
  }
  if (accounts.loading || post.loading || !accounts.data) {
    return (
      <>
        <h1>{title}</h1>
        <Loading label={postId ? "Loading the post…" : "Loading accounts…"} />
      </>
    );
  }
  if (post.data && !EDITABLE.includes(post.data.status)) {
    return (
      <>
        <h1>{title}</h1>
        <Notice kind="warning">
          This post is {statusLabel(post.data.status).toLowerCase()}: only drafts and posts waiting to publish can be
          edited. <a href={href(`/posts/${post.data.id}`)}>See the post</a>
        </Notice>
      </>
    );
  }
  return <ComposerForm accounts={accounts.data} loaded={post.data} day={day} />;
}

function idempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function ComposerForm({ accounts, loaded, day }: { accounts: Account[]; loaded?: Post; day?: string }) {
  const { timezone } = useMe();
  const [draft, setDraft] = useState<ComposerDraft>(() => (loaded ? draftFromPost(loaded, timezone) : newDraft(timezone, day)));
  const [sessionKey] = useState(idempotencyKey); // one per compose session: a double submit makes one post
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: ApiError; spots: Map<Spot, string[]> }>();
  const alertRef = useRef<HTMLDivElement>(null);

  const update = (patch: Partial<ComposerDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setMedia = (change: (items: MediaItem[]) => MediaItem[]) => setDraft((d) => ({ ...d, media: change(d.media) }));

  const networks = useMemo(() => networksOf(draft.accountIds, accounts), [draft.accountIds, accounts]);
  const mediaStates = draft.media.map((m) => m.state).join();
  const check = useValidation(networks.length ? validateBody(draft, networks, loaded) : null, mediaStates);
  const current = check.current ? check.result : undefined;

  const counters = useMemo(() => {
    const all: Record<string, NetworkCounters> = {};
    for (const id of networks) {
      const version = draft.versions[id];
      const input = {
        network: id,
        text: version?.text.trim() ? version.text : draft.text,
        title: version?.title.trim() ? version.title : draft.title,
        hasMedia: hasMedia(draft, id),
        problems: current ? [...current.errors, ...current.warnings] : undefined,
        previews: current?.previews,
      };
      all[id] = { text: textCounter(input), title: titleCounter(input) };
    }
    return all;
  }, [networks, draft, current]);

  const failing = useMemo(
    () => new Set((current?.errors ?? []).map((p) => p.network).filter((n): n is string => Boolean(n))),
    [current],
  );
  const spots = failure?.spots ?? new Map<Spot, string[]>();
  const uploading = draft.media.some((m) => m.state === "uploading");
  const label = submitLabel(draft.when, draft.requiresApproval);

  function fail(error: ApiError, spotsByField = detailsBySpot(error.details)) {
    setFailure({ error, spots: spotsByField });
    window.requestAnimationFrame(() => alertRef.current?.focus());
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (uploading) return fail(new ApiError(0, "uploading", "Wait for the uploads to finish, then try again."), new Map());
    if (!networks.length && draft.when !== "draft") {
      return fail(new ApiError(0, "no_accounts", "Choose at least one account to post to."), new Map([["accounts", ["Choose at least one account."]]]));
    }
    const when = scheduledAt(draft);
    if (draft.when === "schedule" && !when) {
      return fail(new ApiError(0, "no_date", "Choose a date and a time."), new Map([["when", ["Choose a date and a time."]]]));
    }
    setBusy(true);
    setFailure(undefined);
    try {
      let post: Post;
      if (loaded) {
        const path = `/v1/posts/${encodeURIComponent(loaded.id)}`;
        post = await api.put<Post>(path, updateBody(draft, networks, loaded));
        if (draft.when === "schedule") post = await api.post<Post>(`${path}/schedule`, when);
        if (draft.when === "now") post = await api.post<Post>(`${path}/publish`);
      } else {
        post = await api.post<Post>("/v1/posts", createBody(draft, networks), { "Idempotency-Key": sessionKey });
      }
      navigate(`/posts/${post.id}`);
    } catch (reason) {
      fail(reason instanceof ApiError ? reason : new ApiError(0, "client_error", String(reason)));
      setBusy(false);
    }
  }

  const optionNetworks = networks.filter((id) => OPTION_NETWORKS.includes(id));
  const general = spots.get("general") ?? [];

  return (
    <>
      <div className="page-header">
        <h1>{loaded ? "Edit post" : "New post"}</h1>
        {loaded && <StatusBadge status={loaded.status} />}
      </div>
      <form className="composer" onSubmit={submit} noValidate aria-label={loaded ? "Edit post" : "New post"}>
        <div className="composer-main stack">
          {failure && (
            <div className="notice notice-error" role="alert" tabIndex={-1} ref={alertRef}>
              <p>
                {failure.error.message}
                {failure.error.status > 0 && <span className="code"> ({failure.error.code})</span>}
              </p>
              {general.length > 0 && (
                <ul>
                  {general.map((message, index) => (
                    <li key={index}>{message}</li>
                  ))}
                </ul>
              )}
              {failure.spots.size > general.length && (
                <p className="hint">{general.length ? "The other problems are" : "The problems are"} shown next to their fields.</p>
              )}
            </div>
          )}
          <AccountPicker
            accounts={accounts}
            chosen={draft.accountIds}
            onChange={(accountIds) => update({ accountIds })}
            errors={spots.get("accounts")}
          />
          <ContentTabs
            draft={draft}
            networks={networks}
            update={update}
            counters={counters}
            failing={failing}
            spots={spots}
          />
          <MediaPanel items={draft.media} setItems={setMedia} networks={networks} errors={spots.get("media")} editable />
          {optionNetworks.length > 0 && (
            <fieldset className="composer-options">
              <legend>Network settings</legend>
              {optionNetworks.map((id) => (
                <NetworkOptions
                  key={id}
                  network={id}
                  accounts={accounts.filter((a) => a.platform === id && draft.accountIds.includes(a.id))}
                  options={draft.versions[id]?.options ?? {}}
                  onChange={(options) =>
                    update({
                      versions: {
                        ...draft.versions,
                        [id]: { ...(draft.versions[id] ?? { text: "", title: "", media: null }), options },
                      },
                    })
                  }
                  errors={spots.get("options")}
                />
              ))}
            </fieldset>
          )}
          <ThreadParts parts={draft.thread} onChange={(thread) => update({ thread })} networks={networks} spots={spots} />
          <FirstComment text={draft.firstComment} onChange={(firstComment) => update({ firstComment })} errors={spots.get("first_comment")} />
          <fieldset className="composer-meta">
            <legend>Organise</legend>
            <div className="meta-fields">
              <div>
                <label htmlFor="composer-campaign">Campaign id</label>
                <input
                  id="composer-campaign"
                  type="text"
                  value={draft.campaignId}
                  onChange={(event) => update({ campaignId: event.target.value })}
                />
              </div>
              <div>
                <label htmlFor="composer-tags">Tags</label>
                <input
                  id="composer-tags"
                  type="text"
                  value={draft.tags}
                  aria-describedby="composer-tags-hint"
                  onChange={(event) => update({ tags: event.target.value })}
                />
                <p id="composer-tags-hint" className="hint">
                  Comma separated, e.g. launch, spring
                </p>
              </div>
            </div>
            {[...(spots.get("campaign_id") ?? []), ...(spots.get("tags") ?? [])].map((message, index) => (
              <p key={index} className="field-error">
                {message}
              </p>
            ))}
          </fieldset>
          <WhenPanel
            draft={draft}
            update={update}
            choices={whenChoices(loaded?.status)}
            profileZone={timezone}
            errors={spots.get("when")}
          />
          <div className="composer-actions">
            <button type="submit" data-testid="composer-submit" disabled={busy} aria-describedby="composer-submit-status">
              {label}
            </button>
            <a className="button button-secondary" href={href(loaded ? `/posts/${loaded.id}` : "/calendar")}>
              Cancel
            </a>
            <span id="composer-submit-status" role="status" aria-live="polite" className="hint">
              {busy ? "Saving…" : uploading ? "Waiting for uploads to finish." : ""}
            </span>
          </div>
          {failing.size > 0 && draft.when !== "draft" && (
            <p className="hint">
              {[...failing].map((id) => network(id).label).join(", ")} would refuse this post as it is: see Checks.
            </p>
          )}
        </div>
        <aside className="composer-side stack" aria-label="Checks and previews">
          <Checks check={check} networks={networks} counters={counters} />
          <Previews previews={check.result?.previews} networks={networks} accounts={accounts} draft={draft} stale={!check.current} />
        </aside>
      </form>
    </>
  );
}
