import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { captureOAuthReturn } from "./accounts/oauthReturn";
import "./styles.css";

// Back from a network's consent page: open the accounts page with the outcome.
captureOAuthReturn();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
