// Filters by network, status, campaign and tag, kept in the URL: a choice in a list applies at
// once, a typed campaign or tag when the form is sent (Enter or "Apply").
import { useEffect, useId, useState, type FormEvent } from "react";
import { statusLabel } from "../ui/StatusBadge";
import { CALENDAR_STATUSES, type CalendarQuery } from "./grid";
import { NetworkOptions } from "../ui/NetworkOptions";

export function CalendarFilters({ state, onChange }: { state: CalendarQuery; onChange: (next: CalendarQuery) => void }) {
  const [campaign, setCampaign] = useState(state.campaign ?? "");
  const [tag, setTag] = useState(state.tag ?? "");
  useEffect(() => setCampaign(state.campaign ?? ""), [state.campaign]);
  useEffect(() => setTag(state.tag ?? ""), [state.tag]);
  const ids = { platform: useId(), status: useId(), campaign: useId(), tag: useId() };
  const filtered = Boolean(state.platform || state.status || state.campaign || state.tag);

  function submit(event: FormEvent) {
    event.preventDefault();
    onChange({ ...state, campaign: campaign.trim() || undefined, tag: tag.trim().replace(/^#/, "") || undefined });
  }

  return (
    <form className="calendar-filters" onSubmit={submit} aria-label="Filters">
      <div>
        <label htmlFor={ids.platform}>Network</label>
        <select
          id={ids.platform}
          value={state.platform ?? ""}
          onChange={(event) => onChange({ ...state, platform: event.target.value || undefined })}
        >
          <NetworkOptions any="All networks" />
        </select>
      </div>
      <div>
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={state.status ?? ""}
          onChange={(event) => onChange({ ...state, status: event.target.value || undefined })}
        >
          <option value="">All statuses</option>
          {CALENDAR_STATUSES.map((status) => (
            <option key={status} value={status}>
              {statusLabel(status)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={ids.campaign}>Campaign</label>
        <input id={ids.campaign} type="text" value={campaign} onChange={(event) => setCampaign(event.target.value)} />
      </div>
      <div>
        <label htmlFor={ids.tag}>Tag</label>
        <input id={ids.tag} type="text" value={tag} onChange={(event) => setTag(event.target.value)} />
      </div>
      <div className="calendar-filter-buttons">
        <button type="submit" className="button-secondary">
          Apply
        </button>
        {filtered && (
          <button
            type="button"
            className="button-secondary"
            onClick={() => onChange({ view: state.view, day: state.day })}
          >
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
