import type { Client, PageObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, testClock } from "./support.js";

type FileItem = { name: string; type: "file"; file: { url: string; expiry_time: string } } | { name: string; type: "external"; external: { url: string } };

describe("file values", () => {
  let sandbox: Sandbox;
  let notion: Client;
  const clock = testClock("2026-08-03T10:15:42.123Z");
  let pageId: string;
  const files = async () =>
    ((await notion.pages.retrieve({ page_id: pageId })) as PageObjectResponse).properties["Attachments"] as unknown as { files: FileItem[] };
  beforeAll(async () => {
    sandbox = await startSandbox({ now: clock.now });
    notion = clientFor(sandbox);
    const projects = sandbox.store.listPages(sandbox.databases.projects!.dataSourceId) as Array<{
      id: string;
      properties: Record<string, { files?: FileItem[] }>;
    }>;
    pageId = projects.find((p) => new Set(p.properties["Attachments"]!.files!.map((f) => f.type)).size === 2)!.id;
  });
  afterAll(() => sandbox.close());

  it("signs uploaded files afresh on every read (new signature, expiry one hour from now); external URLs stay", async () => {
    const a = (await files()).files;
    clock.advance(90_000);
    const b = (await files()).files;
    const uploadedA = a.filter((f) => f.type === "file");
    const uploadedB = b.filter((f) => f.type === "file");
    expect(uploadedA.length).toBeGreaterThan(0);
    uploadedA.forEach((f, i) => {
      const g = uploadedB[i]!;
      expect(g.name).toBe(f.name);
      expect(g.file.url).not.toBe(f.file.url);
      expect(new URL(g.file.url).pathname).toBe(new URL(f.file.url).pathname);
      expect(new URL(g.file.url).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(uploadedA[0]!.file.expiry_time).toBe("2026-08-03T11:15:42.123Z");
    expect(uploadedB[0]!.file.expiry_time).toBe("2026-08-03T11:17:12.123Z");
    expect(a.filter((f) => f.type === "external")).toEqual(b.filter((f) => f.type === "external"));
  });

  it("accepts external files and file uploads on write", async () => {
    const updated = (await notion.pages.update({
      page_id: pageId,
      properties: {
        Attachments: {
          files: [
            { name: "plan.pdf", external: { url: "https://example.com/plan.pdf" } },
            { name: "scan.png", file_upload: { id: "7b9c53b2-8a1e-4c3b-9f3e-2a4f6f0e1d2c" } },
          ],
        },
      },
    })) as PageObjectResponse;
    const list = (updated.properties["Attachments"] as unknown as { files: FileItem[] }).files;
    expect(list[0]).toEqual({ name: "plan.pdf", type: "external", external: { url: "https://example.com/plan.pdf" } });
    expect(list[1]).toMatchObject({ name: "scan.png", type: "file" });
    expect(list[1]!.type === "file" && list[1]!.file.url).toContain("/scan.png?");
  });
});
