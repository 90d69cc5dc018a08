#!/usr/bin/env node
// An example MCP server over stdio, used by the default configuration (`npm start`) and by the
// tests: a tool with progress notifications, a resource and a prompt. Its forecasts are invented
// from the city name, so it needs no network and gives the same answer every time.
//
//   node examples/servers/weather.js          # speaks MCP on stdin/stdout (logs on stderr)
//
// Built on the official MCP SDK (v2): `serveStdio` serves both the stateless 2026-07-28 revision
// and, for clients that open with `initialize`, the 2025 revisions.
import { fromJsonSchema, McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const CONDITIONS = ['sunny', 'partly cloudy', 'overcast', 'light rain', 'windy', 'snow showers'];
const CITIES = ['Amsterdam', 'Lisbon', 'Nairobi', 'Osaka', 'Reykjavik', 'Santiago'];

/** A stable small hash of a string (FNV-1a), so forecasts are reproducible. */
function hash(text) {
  let h = 0x811c9dc5;
  for (const ch of text.toLowerCase()) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

/** The invented forecast for one day. */
function forecast(city, day) {
  const h = hash(`${city}/${day}`);
  return {
    day,
    conditions: CONDITIONS[h % CONDITIONS.length],
    highC: 8 + (h % 23),
    lowC: (h >>> 8) % 9,
  };
}

function createServer() {
  const server = new McpServer({ name: 'example-weather', version: '1.0.0' });

  server.registerTool(
    'get_forecast',
    {
      title: 'Weather forecast',
      description: 'Forecast for a city, one day at a time (sends progress notifications).',
      inputSchema: fromJsonSchema({
        type: 'object',
        properties: {
          city: { type: 'string', description: 'City name, e.g. Lisbon' },
          days: { type: 'integer', minimum: 1, maximum: 7, description: 'Number of days (default 3)' },
        },
        required: ['city'],
      }),
    },
    async ({ city, days = 3 }, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      const out = [];
      for (let day = 1; day <= days; day++) {
        out.push(forecast(city, day));
        if (token !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: day, total: days, message: `day ${day} of ${days}` },
          });
        }
      }
      const lines = out.map((f) => `Day ${f.day}: ${f.conditions}, ${f.lowC}–${f.highC} °C`);
      return {
        content: [{ type: 'text', text: `Forecast for ${city}:\n${lines.join('\n')}` }],
        structuredContent: { city, days: out },
      };
    },
  );

  server.registerResource(
    'cities',
    'weather://cities',
    { title: 'Cities', description: 'Cities with a well-known forecast', mimeType: 'application/json' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(CITIES) }] }),
  );

  server.registerPrompt(
    'plan_trip',
    {
      title: 'Plan a trip',
      description: 'Ask for a packing list that suits the forecast.',
      argsSchema: fromJsonSchema({
        type: 'object',
        properties: { city: { type: 'string', description: 'Destination' } },
        required: ['city'],
      }),
    },
    ({ city }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: `I am travelling to ${city}. Use the get_forecast tool for the next 3 days, then suggest what to pack.`,
          },
        },
      ],
    }),
  );

  return server;
}

serveStdio(createServer, { onerror: (err) => console.error(`weather: ${err.message}`) });
console.error('weather: example MCP server ready on stdio');
