/** The OpenAPI 3.0 description of the Synvo emulator, served at /openapi.json. */
export function synvoOpenApi(): Record<string, unknown> {
  return { openapi: '3.0.3', info: { title: 'Synvo (emulator)', version: '1.0.0' }, paths: {} };
}
