import { NETWORKS } from "./networks";

/** The 13 networks as <option>s, in the console's order; `any` adds a first "all" choice (""). */
export function NetworkOptions({ any }: { any?: string }) {
  return (
    <>
      {any !== undefined && <option value="">{any}</option>}
      {NETWORKS.map((n) => (
        <option key={n.id} value={n.id}>
          {n.label}
        </option>
      ))}
    </>
  );
}
