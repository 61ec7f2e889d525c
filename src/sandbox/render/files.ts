import { createHash } from "node:crypto";
import { iso } from "../core/time.js";
import type { FileValue } from "../model/types.js";
import type { Workspace } from "../store/workspace.js";
import type { FileAnswer } from "./wire-types.js";

const EXPIRES_SEC = 3600;

function amzDate(ms: number): string {
  return iso(ms)
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * A file value as the API shows it. Uploaded files get a freshly signed URL and an expiry one hour
 * from now on every read (like Notion's S3 links); external files keep their URL.
 */
export function renderFile(ws: Workspace, file: FileValue): FileAnswer {
  if (file.kind === "external") return { name: file.name, type: "external", external: { url: file.url } };
  const now = ws.now();
  ws.signatureCounter += 1;
  const signature = createHash("sha256").update(`${ws.seed}:${file.url}:${ws.signatureCounter}`).digest("hex");
  const date = amzDate(now);
  const [folder = "", ...rest] = file.url.split("/");
  const key = `${folder}/${rest.map(encodeURIComponent).join("/")}`;
  const query = [
    "X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "X-Amz-Content-Sha256=UNSIGNED-PAYLOAD",
    `X-Amz-Credential=ASIAZI2LB466SANDBOX%2F${date.slice(0, 8)}%2Fus-west-2%2Fs3%2Faws4_request`,
    `X-Amz-Date=${date}`,
    `X-Amz-Expires=${EXPIRES_SEC}`,
    `X-Amz-Signature=${signature}`,
    "X-Amz-SignedHeaders=host",
    "x-id=GetObject",
  ].join("&");
  return {
    name: file.name,
    type: "file",
    file: {
      url: `https://prod-files-secure.s3.us-west-2.amazonaws.com/${ws.workspaceId}/${key}?${query}`,
      expiry_time: iso(now + EXPIRES_SEC * 1000),
    },
  };
}
