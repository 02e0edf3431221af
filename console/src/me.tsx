// Who the key is (GET /v1/me): its role decides which buttons the console shows. The API
// still checks every call; hiding a button is for the person, not for security.
import { createContext, useContext } from "react";
import type { Me } from "./api/types";

export interface Abilities {
  edit: boolean;
  approve: boolean;
  admin: boolean;
}

export interface MeState {
  me: Me;
  can: Abilities;
  timezone: string; // the profile's zone: the calendar and every date shown use it
  reload: () => void;
}

export const MeContext = createContext<MeState | null>(null);

export function useMe(): MeState {
  const state = useContext(MeContext);
  if (!state) throw new Error("useMe outside the signed-in console");
  return state;
}
