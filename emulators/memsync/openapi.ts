/** OpenAPI 3.0 description of the MemSync emulator (served at /openapi.json). */
export const memSyncOpenApi: Record<string, unknown> = {
  openapi: '3.0.3',
  info: { title: 'MemSync (emulator)', version: '1.0.0' },
  paths: {},
};
