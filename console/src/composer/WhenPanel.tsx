// When the post goes out: now, at a wall-clock time in a chosen zone, or kept as a draft; and
// whether an approver must approve it first.
import { useMemo } from "react";
import { formatDateTime, knownZones, zonedToUtc } from "../time";
import { FieldErrors } from "./bits";
import { scheduledAt, type ComposerDraft, type When } from "./draft";

const CHOICE_LABELS: Record<When, string> = {
  now: "Publish now",
  schedule: "Schedule",
  draft: "Save as draft",
  keep: "Keep its status",
};

const CHOICE_HINTS: Record<When, string> = {
  now: "Sent to every network right away.",
  schedule: "Sent at the date and time below, never earlier.",
  draft: "Kept until you schedule it; drafts may break the networks' rules for now.",
  keep: "Saves the changes; the post keeps its status and date.",
};

interface Props {
  draft: ComposerDraft;
  update: (patch: Partial<ComposerDraft>) => void;
  choices: When[];
  profileZone: string;
  errors?: string[];
}

export function WhenPanel({ draft, update, choices, profileZone, errors }: Props) {
  const zones = useMemo(() => {
    const all = knownZones();
    return [...new Set([profileZone, draft.timezone, "UTC", ...all])].filter(Boolean);
  }, [profileZone, draft.timezone]);
  const when = scheduledAt(draft);
  const [hour, minute] = draft.time.split(":").map(Number);
  const instant = when ? zonedToUtc(draft.date, hour, minute, draft.timezone) : undefined;

  return (
    <fieldset className="composer-when" aria-describedby={errors?.length ? "when-errors" : undefined}>
      <legend>When</legend>
      <div className="when-choices" role="radiogroup" aria-label="When">
        {choices.map((choice) => (
          <div key={choice} className="when-choice">
            <label className="check">
              <input
                type="radio"
                name="composer-when"
                value={choice}
                checked={draft.when === choice}
                onChange={() => update({ when: choice })}
                aria-describedby={`when-hint-${choice}`}
              />
              {CHOICE_LABELS[choice]}
            </label>
            <p id={`when-hint-${choice}`} className="hint when-hint">
              {CHOICE_HINTS[choice]}
            </p>
          </div>
        ))}
      </div>
      {draft.when === "schedule" && (
        <div className="when-fields">
          <div>
            <label htmlFor="schedule-date">Date</label>
            <input
              id="schedule-date"
              data-testid="schedule-date"
              type="date"
              required
              value={draft.date}
              onChange={(event) => update({ date: event.target.value })}
            />
          </div>
          <div>
            <label htmlFor="schedule-time">Time</label>
            <input
              id="schedule-time"
              data-testid="schedule-time"
              type="time"
              required
              value={draft.time}
              onChange={(event) => update({ time: event.target.value })}
            />
          </div>
          <div>
            <label htmlFor="schedule-timezone">Timezone</label>
            <select
              id="schedule-timezone"
              data-testid="schedule-timezone"
              value={draft.timezone}
              onChange={(event) => update({ timezone: event.target.value })}
            >
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone === profileZone ? `${zone} (profile)` : zone}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {draft.when === "schedule" && instant && draft.timezone !== profileZone && (
        <p className="hint">That is {formatDateTime(instant, profileZone)} in the profile's zone ({profileZone}).</p>
      )}
      {draft.when === "schedule" && !when && <p className="field-error">Choose a date and a time.</p>}
      <label className="check">
        <input
          type="checkbox"
          checked={draft.requiresApproval}
          onChange={(event) => update({ requiresApproval: event.target.checked })}
          aria-describedby="approval-hint"
        />
        Requires approval
      </label>
      <p id="approval-hint" className="hint">
        The post waits in the approvals inbox until an approver approves it.
      </p>
      <FieldErrors id="when-errors" messages={errors} />
    </fieldset>
  );
}
