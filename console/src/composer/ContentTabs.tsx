// The post's text with one tab per chosen network for that network's own version (overrides),
// as a WAI-ARIA tabs widget: arrow keys, Home and End move between tabs.
import { useRef, useState, type KeyboardEvent } from "react";
import { network } from "../ui/networks";
import { CounterView, FieldErrors } from "./bits";
import type { Counter } from "./counters";
import { EMPTY_VERSION, mediaRefs, type ComposerDraft, type NetworkVersion } from "./draft";
import { hasTitle, limitsFor } from "./limits";
import type { Spot } from "./problems";

export interface NetworkCounters {
  text: Counter;
  title?: Counter;
}

interface Props {
  draft: ComposerDraft;
  networks: string[];
  update: (patch: Partial<ComposerDraft>) => void;
  counters: Record<string, NetworkCounters>;
  failing: Set<string>; // networks with errors in the current check
  spots: Map<Spot, string[]>;
}

export function ContentTabs({ draft, networks, update, counters, failing, spots }: Props) {
  const [selected, setSelected] = useState("all");
  const tabs = ["all", ...networks];
  const active = tabs.includes(selected) ? selected : "all";
  const refs = useRef(new Map<string, HTMLButtonElement>());

  function onKey(event: KeyboardEvent) {
    const index = tabs.indexOf(active);
    const next =
      event.key === "ArrowRight"
        ? (index + 1) % tabs.length
        : event.key === "ArrowLeft"
          ? (index - 1 + tabs.length) % tabs.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? tabs.length - 1
              : -1;
    if (next < 0) return;
    event.preventDefault();
    setSelected(tabs[next]);
    refs.current.get(tabs[next])?.focus();
  }

  return (
    <section className="composer-content" aria-label="Content">
      <div className="tabs" role="tablist" aria-label="Text per network" onKeyDown={onKey}>
        {tabs.map((tab) => {
          const label = tab === "all" ? "All networks" : network(tab).label;
          const problem = tab !== "all" && failing.has(tab);
          return (
            <button
              key={tab}
              type="button"
              role="tab"
              id={`tab-${tab}`}
              aria-selected={tab === active}
              aria-controls={`panel-${tab}`}
              tabIndex={tab === active ? 0 : -1}
              ref={(el) => {
                if (el) refs.current.set(tab, el);
                else refs.current.delete(tab);
              }}
              onClick={() => setSelected(tab)}
              className={problem ? "tab-problem" : undefined}
            >
              {tab !== "all" && <span className="tab-dot" style={{ background: network(tab).color }} aria-hidden="true" />}
              {label}
              {tab !== "all" && draft.versions[tab]?.text.trim() && <span className="tab-note"> (own text)</span>}
              {problem && (
                <span className="tab-warn">
                  <span aria-hidden="true"> ⚠</span>
                  <span className="visually-hidden"> (has problems)</span>
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`} tabIndex={0} className="tab-panel">
        {active === "all" ? (
          <AllNetworks draft={draft} networks={networks} update={update} counters={counters} spots={spots} />
        ) : (
          <NetworkPanel
            key={active}
            id={active}
            draft={draft}
            update={update}
            counters={counters[active]}
          />
        )}
      </div>
    </section>
  );
}

function AllNetworks({
  draft,
  networks,
  update,
  counters,
  spots,
}: Pick<Props, "draft" | "networks" | "update" | "counters" | "spots">) {
  const titled = networks.filter(hasTitle);
  const textErrors = spots.get("text");
  const titleErrors = spots.get("title");
  return (
    <div className="stack-tight">
      <label htmlFor="composer-text">Text</label>
      <textarea
        id="composer-text"
        data-testid="composer-text"
        rows={7}
        value={draft.text}
        aria-describedby={`composer-counters${textErrors ? " composer-text-errors" : ""}`}
        aria-invalid={textErrors ? true : undefined}
        onChange={(event) => update({ text: event.target.value })}
      />
      <FieldErrors id="composer-text-errors" messages={textErrors} />
      {networks.length > 0 ? (
        <ul id="composer-counters" className="counters" aria-live="polite" aria-label="Length per network">
          {networks.map((id) =>
            counters[id] ? (
              <li key={id}>
                <CounterView counter={counters[id].text} withName />
              </li>
            ) : null,
          )}
        </ul>
      ) : (
        <p id="composer-counters" className="hint">
          Choose accounts to see each network's length limit.
        </p>
      )}
      {(titled.length > 0 || draft.title) && (
        <>
          <label htmlFor="composer-title">Title</label>
          <input
            id="composer-title"
            type="text"
            value={draft.title}
            aria-describedby={`composer-title-hint${titleErrors ? " composer-title-errors" : ""}`}
            onChange={(event) => update({ title: event.target.value })}
          />
          <p id="composer-title-hint" className="hint">
            {titled.length
              ? `Used by ${titled.map((id) => network(id).label).join(", ")}${titled.some((id) => limitsFor(id).titleRequired) ? " (required)" : ""}.`
              : "None of the chosen networks shows a title."}
          </p>
          <FieldErrors id="composer-title-errors" messages={titleErrors} />
        </>
      )}
    </div>
  );
}

function NetworkPanel({
  id,
  draft,
  update,
  counters,
}: {
  id: string;
  draft: ComposerDraft;
  update: Props["update"];
  counters?: NetworkCounters;
}) {
  const info = network(id);
  const version = draft.versions[id] ?? EMPTY_VERSION;
  const refs = mediaRefs(draft.media);
  const set = (patch: Partial<NetworkVersion>) =>
    update({ versions: { ...draft.versions, [id]: { ...version, ...patch } } });
  const textId = `version-${id}-text`;
  return (
    <div className="stack-tight">
      <p className="hint">{limitsFor(id).rule}</p>
      <label htmlFor={textId}>Version for {info.label}</label>
      <textarea
        id={textId}
        rows={6}
        value={version.text}
        placeholder={draft.text}
        aria-describedby={`${textId}-hint ${textId}-counter`}
        onChange={(event) => set({ text: event.target.value })}
      />
      <p id={`${textId}-hint`} className="hint">
        Leave empty to post the text for all networks.
      </p>
      <p id={`${textId}-counter`} aria-live="polite" className="counter-line">
        {counters && <CounterView counter={counters.text} />}
      </p>
      {hasTitle(id) && (
        <>
          <label htmlFor={`version-${id}-title`}>Title for {info.label}</label>
          <input
            id={`version-${id}-title`}
            type="text"
            value={version.title}
            placeholder={draft.title}
            aria-describedby={`version-${id}-title-counter`}
            onChange={(event) => set({ title: event.target.value })}
          />
          <p id={`version-${id}-title-counter`} aria-live="polite" className="counter-line">
            {counters?.title && <CounterView counter={counters.title} />}
          </p>
        </>
      )}
      {refs.length > 0 && (
        <fieldset>
          <legend>Media on {info.label}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={version.media !== null}
              onChange={(event) => set({ media: event.target.checked ? refs : null })}
            />
            Choose different media for {info.label}
          </label>
          {version.media !== null && (
            <div className="row">
              {draft.media
                .filter((m) => m.ref && refs.includes(m.ref))
                .map((m) => (
                  <label key={m.key} className="check">
                    <input
                      type="checkbox"
                      checked={version.media?.includes(m.ref as string) ?? false}
                      onChange={(event) =>
                        set({
                          media: event.target.checked
                            ? refs.filter((r) => r === m.ref || version.media?.includes(r))
                            : (version.media ?? []).filter((r) => r !== m.ref),
                        })
                      }
                    />
                    {m.info?.filename ?? m.name}
                  </label>
                ))}
            </div>
          )}
        </fieldset>
      )}
    </div>
  );
}
