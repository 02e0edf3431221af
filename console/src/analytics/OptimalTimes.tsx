import { api } from "../api/client";
import type { OptimalTimes as OptimalTimesAnswer } from "../api/types";
import { ChartFigure } from "../charts/ChartFigure";
import { Heatmap } from "../charts/Heatmap";
import { useMe } from "../me";
import { network } from "../ui/networks";
import { ErrorNotice, Loading } from "../ui/feedback";
import { useAsync } from "../ui/useAsync";
import { HOURS, WEEKDAYS_SHORT, basisSentence, scoreWords, slotGrid, slotLabel, slotWords, sourceWords, WEEKDAYS } from "./optimal";

/** GET /v1/analytics/optimal-times in the profile's zone: the week's heatmap and the best hours. */
export function OptimalTimes({ platform }: { platform: string }) {
  const { timezone } = useMe();
  const answer = useAsync(
    (signal) => api.get<OptimalTimesAnswer>("/v1/analytics/optimal-times", { timezone, platform }, signal),
    [timezone, platform],
  );

  return (
    <section className="card analytics-section" aria-labelledby="optimal-title">
      <h2 id="optimal-title">Best times to post{platform ? ` on ${network(platform).label}` : ""}</h2>
      {answer.loading && !answer.data && <Loading label="Scoring the week…" />}
      {answer.error && <ErrorNotice error={answer.error} onRetry={answer.reload} />}
      {answer.data && <OptimalTimesView answer={answer.data} />}
    </section>
  );
}

function OptimalTimesView({ answer }: { answer: OptimalTimesAnswer }) {
  const grid = slotGrid(answer.slots);
  const bySlot = new Map(answer.slots.map((slot) => [slot.weekday * 24 + slot.hour, slot]));
  const best = new Set(answer.best.map((slot) => slot.weekday * 24 + slot.hour));
  const top = answer.best[0];
  const label = top
    ? `Scores of each hour of the week in ${answer.timezone}, from 0 to 100. Best: ${slotLabel(top.weekday, top.hour)} at ${scoreWords(top.score)}; the ${answer.best.length} best hours are marked with a dot.`
    : `Scores of each hour of the week in ${answer.timezone}.`;

  return (
    <>
      <p>
        {basisSentence(answer)}{" "}
        <a href={answer.prior.url} target="_blank" rel="noreferrer">
          Read the research
        </a>
        .
      </p>
      <div className="optimal-layout">
        <ChartFigure
          title="Score by weekday and hour"
          description="A score of 50 is your median post; higher is better."
          table={{
            caption: `Scores out of 100 by weekday (rows) and hour (columns), ${answer.timezone}`,
            columns: ["Day", ...HOURS.map((hour) => `${hour}:00`)],
            rows: grid.map((line, weekday) => [
              WEEKDAYS[weekday],
              ...line.map((score) => (Number.isFinite(score) ? Math.round(score * 100) : "—")),
            ]),
          }}
        >
          <Heatmap
            rows={WEEKDAYS_SHORT}
            columns={HOURS}
            values={grid}
            marked={({ row, col }) => best.has(row * 24 + col)}
            describe={({ row, col }) => {
              const slot = bySlot.get(row * 24 + col);
              return slot ? slotWords(slot) : `${slotLabel(row, col)}: no score`;
            }}
            label={label}
            markLabel="One of the best hours"
            testId="optimal-times-heatmap"
          />
        </ChartFigure>
        <div>
          <h3>The best hours</h3>
          {answer.best.length === 0 ? (
            <p className="muted">No hour stands out yet.</p>
          ) : (
            <ol className="best-slots">
              {answer.best.map((slot) => (
                <li key={`${slot.weekday}-${slot.hour}`}>
                  <strong>{slotLabel(slot.weekday, slot.hour)}</strong>
                  <span className="muted">
                    {" "}
                    — score {scoreWords(slot.score)}, {sourceWords(slot)}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      </div>
    </>
  );
}
