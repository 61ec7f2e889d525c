import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import type { EventBus } from "../observability/events.js";
import { fileWatermarkStore } from "../state/index.js";
import { createWebhookReceiver } from "./receiver.js";
import { createTargetedRuns } from "./targeted-runs.js";
import { webhookTokenStore } from "./token-store.js";

export { webhookEventSchema, targetOf, type WebhookEvent } from "./envelope.js";
export { createWebhookReceiver, MAX_BODY_BYTES } from "./receiver.js";
export { createTargetedRuns, type EventSource, type TargetedRuns } from "./targeted-runs.js";
export { TOKEN_FILE, webhookTokenStore, type WebhookTokenStore } from "./token-store.js";

export interface Webhooks {
  /** `POST /webhooks/notion` for the status server. */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  stop(): void;
}

/**
 * The worker's webhook side, when NOTION_WEBHOOKS is on: the receiver, and the targeted runs its
 * events ask for (through `request`: the scheduler). Data source ids the engine resolved are learned
 * from the watermark files at start and after every run, so events naming only a data source find
 * a database mapped by its database id.
 */
export function createWebhooks(parts: {
  readonly config: AppConfig;
  readonly events: EventBus;
  readonly logger: Logger;
  request(keys: readonly string[], schemaDue: readonly string[]): void;
}): Webhooks | undefined {
  const { config, events, logger } = parts;
  const settings = config.worker.webhooks;
  if (!settings.enabled) return undefined;
  const runs = createTargetedRuns({
    sources: config.mapping.databases.map((d) => ({ key: d.key, databaseId: d.databaseId, dataSourceId: d.dataSourceId })),
    debounceMs: settings.debounceMs,
    events,
    request: (keys, schemaDue) => {
      logger.info({ databases: keys, schemaDue }, "webhook events: syncing their databases");
      parts.request(keys, schemaDue);
    },
  });
  const learn = async () => {
    const watermarks = await fileWatermarkStore(config.watermarkDir)
      .list()
      .catch((error: unknown) => {
        logger.warn({ err: error }, "webhooks: could not read the watermarks to learn the data source ids; events naming a database still match");
        return [];
      });
    for (const w of watermarks) runs.learn(w.databaseKey, w.dataSourceId);
  };
  void learn();
  const off = events.on("run:done", () => void learn());
  const tokens = webhookTokenStore(config.watermarkDir, settings.verificationToken);
  return {
    handler: createWebhookReceiver({ tokens, events, logger: logger.child({ component: "webhooks" }), accept: (event) => runs.accept(event) }),
    stop() {
      off();
      runs.stop();
    },
  };
}
