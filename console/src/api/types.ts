// Names for the API's shapes, generated from docs/openapi.json (npm run types), so a spec
// change that breaks the console fails its type check.
import type { components } from "./schema";

type S = components["schemas"];

export type Post = S["PostResponse"];
export type Target = S["TargetResponse"];
export type TargetError = S["TargetErrorResponse"];
export type PostStatus = S["PostStatus"];
export type Role = S["Role"];
export type Profile = S["ProfileResponse"];
export type Account = S["AccountResponse"];
export type CreatePost = S["CreatePostRequest"];
export type UpdatePost = S["UpdatePostRequest"];
export type Validation = S["ValidationResponse"];
export type ContentProblem = S["ContentProblem"];
export type TargetPreview = S["TargetPreview"];
export type Media = S["MediaResponse"];
export type MediaUpload = S["CreateMediaResponse"];
export type Compatibility = S["CompatibilityResponse"];
export type Webhook = S["WebhookResponse"];
export type Delivery = S["DeliveryResponse"];
export type Summary = S["SummaryResponse"];
export type GroupTotals = S["GroupTotals"];
export type OptimalTimes = S["OptimalTimesResponse"];
export type Slot = S["Slot"];
export type PostAnalytics = S["PostAnalyticsResponse"];
export type SeriesPoint = S["SeriesPoint"];
export type ConnectResponse = S["ConnectResponse"];
export type Me = S["MeResponse"];
export type StatusChange = S["StatusChangeResponse"];
