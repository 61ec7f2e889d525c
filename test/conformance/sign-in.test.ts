import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig, type DatabricksSettings } from "../../src/config/index.js";
import { openDatabricksSession } from "../../src/warehouse/databricks/databricks-session.js";
import { useLocalWarehouse } from "./driver-target.js";
import { AZURE_WORKSPACE_HOST } from "./local-warehouse/tls.js";
import { startTunnelProxy, type TunnelProxy } from "./local-warehouse/tunnel.js";

/**
 * OAuth machine-to-machine through the real driver, on an Azure workspace's host name: the driver
 * picks its sign-in by the host, so the tests reach the local warehouse as adb-….azuredatabricks.net
 * through HTTPS_PROXY, a tunnel. (Before, the driver went to Entra, login.microsoftonline.com, which
 * refuses a Databricks OAuth secret.)
 */
const local = useLocalWarehouse();
let tunnel: TunnelProxy;
beforeAll(async () => {
  tunnel = await startTunnelProxy(Number(local().host.split(":")[1]));
});
afterAll(() => tunnel.close());
afterEach(() => {
  vi.unstubAllEnvs();
  tunnel.targets.length = 0;
});

function oauthSettings(extra: Record<string, string> = {}): DatabricksSettings {
  const { DATABRICKS_TOKEN: _token, ...env } = local().env();
  vi.stubEnv("HTTPS_PROXY", tunnel.url);
  const oauth = { DATABRICKS_HOST: AZURE_WORKSPACE_HOST, DATABRICKS_CLIENT_ID: local().oauthClient.id, DATABRICKS_CLIENT_SECRET: local().oauthClient.secret };
  return loadConfig({ env: { ...env, ...oauth, ...extra }, requireToken: false, databaseIdsOptional: true }).warehouse as DatabricksSettings;
}

async function selectOne(settings: DatabricksSettings): Promise<unknown> {
  const session = await openDatabricksSession(settings);
  try {
    return await session.run("SELECT 1 AS one", {});
  } finally {
    await session.close();
  }
}

describe("OAuth M2M on an Azure workspace", () => {
  it("signs in with Databricks OAuth at the workspace's own token endpoint (not Entra's), through HTTPS_PROXY", async () => {
    const from = local().tokenRequests.length;
    expect(await selectOne(oauthSettings())).toEqual([{ one: 1 }]);
    expect(local().tokenRequests.slice(from)).toEqual([
      {
        endpoint: `${AZURE_WORKSPACE_HOST}/oidc/v1/token`,
        grantType: "client_credentials",
        scope: "all-apis",
        clientId: local().oauthClient.id,
        granted: true,
      },
    ]);
    expect(new Set(tunnel.targets)).toEqual(new Set([`${AZURE_WORKSPACE_HOST}:443`]));
  });

  it("fails a refused secret at once, naming the variables to check and never the secret", async () => {
    const wrong = "dose-not-the-secret-4f1e";
    const error = await openDatabricksSession(oauthSettings({ DATABRICKS_CLIENT_SECRET: wrong })).then(
      () => expect.fail("a refused secret must fail"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(
      /^cannot open a session on the Databricks SQL warehouse at adb-.*invalid_client.*\(check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET/s,
    );
    expect(`${error.message}\n${String(error.stack)}\n${JSON.stringify(error)}`).not.toContain(wrong);
    expect(local().tokenRequests.at(-1)).toMatchObject({ granted: false });
  });
});
