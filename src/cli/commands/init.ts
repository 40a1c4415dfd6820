import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { relative } from 'node:path';
import { Option } from 'commander';
import { KitError } from '../../errors.js';
import { exampleValues, referencedEnv, renderExample, type ExampleAnswers } from '../../config/example.js';
import { GENESYS_REGIONS } from '../../config/schema.js';
import { defineCommand } from '../command.js';
import { portOption } from '../options.js';

interface InitOptions {
  sandbox?: boolean;
  platform?: 'genesys' | 'twilio';
  twilioPort?: number;
  twilioAccountSid?: string;
  twilioWorkspaceSid?: string;
  mediaStreamUrl?: string;
  force?: boolean;
  yes?: boolean;
  prefix?: string;
  region?: ExampleAnswers['region'];
  genesysBaseUrl?: string;
  genesysPort?: number;
  daspeakPort?: number;
  backendPort?: number;
  genesysClientId?: string;
  daspeakRestUrl?: string;
  daspeakSocketUrl?: string;
  daspeakTokenUrl?: string;
  daspeakClientId?: string;
  audiohookUri?: string;
  modelHash?: string;
  publicUrl?: string;
  databaseUrl?: string;
  queue?: string[];
}

const GENESYS_QUESTIONS: [keyof ExampleAnswers, string][] = [
  ['region', `Genesys Cloud region (${GENESYS_REGIONS.slice(0, 3).join(', ')}, …)`],
  ['genesysClientId', 'Genesys client-credentials OAuth client id'],
  ['audiohookUri', 'das-Peak Audiohook connection URI (wss://…)'],
];

const TWILIO_QUESTIONS: [keyof ExampleAnswers, string][] = [
  ['twilioAccountSid', 'Twilio Account SID (AC…)'],
  ['twilioWorkspaceSid', 'Flex TaskRouter Workspace SID (WS…)'],
  ['mediaStreamUrl', "das-Peak's Twilio Media Streams URL (wss://…)"],
];

/** The questions asked at a terminal, in order, for answers not given as flags. */
const COMMON_QUESTIONS: [keyof ExampleAnswers, string][] = [
  ['daspeakRestUrl', 'das-Peak REST base URL'],
  ['daspeakSocketUrl', 'das-Peak Socket.IO URL'],
  ['daspeakClientId', 'das-Peak auth client id'],
  ['modelHash', 'das-Peak model hash'],
  ['publicUrl', 'Public URL of the backend (https://…)'],
];

export default defineCommand({
  name: 'init',
  order: 10,
  summary: 'write a commented example config (asks at a terminal; never overwrites without --force)',
  examples: [
    'daspeak-genesys init --sandbox                 # a config for the local sandboxes, no secrets needed',
    'daspeak-genesys init --sandbox --genesys-port 5110 --daspeak-port 5120 --backend-port 5180',
    'daspeak-genesys init --region mypurecloud.ie --public-url https://vb.example.com/ --yes',
    'daspeak-genesys init --sandbox --platform twilio   # a config for the local Twilio stand-in',
    'daspeak-genesys init --platform twilio --twilio-account-sid AC… --twilio-workspace-sid WS… --yes',
  ],
  configure(cmd) {
    cmd
      .option('--sandbox', 'point everything at the local sandboxes (daspeak-genesys sandbox)')
      .addOption(
        new Option('--platform <name>', 'contact-center platform of the config')
          .choices(['genesys', 'twilio'])
          .default('genesys'),
      )
      .option('-f, --force', 'overwrite an existing file')
      .option('-y, --yes', 'do not ask; use flags and defaults')
      .option('--prefix <name>', 'name prefix of every object the kit owns')
      .addOption(
        new Option('--region <host>', 'Genesys Cloud region')
          .choices(GENESYS_REGIONS)
          .conflicts('genesysBaseUrl'),
      )
      .option('--genesys-base-url <url>', 'a Genesys API gateway instead of a region (a sandbox org)')
      .addOption(
        new Option('--genesys-port <port>', 'with --sandbox: port of the sandbox org').argParser(portOption),
      )
      .addOption(
        new Option('--daspeak-port <port>', 'with --sandbox: port of the das-Peak emulator').argParser(
          portOption,
        ),
      )
      .addOption(
        new Option('--backend-port <port>', 'with --sandbox: port of the backend').argParser(portOption),
      )
      .option('--genesys-client-id <id>', 'Genesys client-credentials OAuth client id')
      .option('--daspeak-rest-url <url>', 'das-Peak REST base URL')
      .option('--daspeak-socket-url <url>', 'das-Peak Socket.IO URL')
      .option('--daspeak-token-url <url>', 'das-Peak auth token URL')
      .option('--daspeak-client-id <id>', 'das-Peak auth client id')
      .option('--audiohook-uri <uri>', "das-Peak's Audiohook connection URI (Genesys only)")
      .option('--model-hash <hash>', 'das-Peak model hash')
      .option('--public-url <url>', 'public URL of the backend')
      .option('--database-url <url>', 'sqlite:<file> or postgres://…')
      .option('--queue <name...>', 'queue names for the widget and audio monitoring')
      .addOption(
        new Option(
          '--twilio-port <port>',
          'with --sandbox --platform twilio: port of the Twilio stand-in',
        ).argParser(portOption),
      )
      .option('--twilio-account-sid <sid>', 'with --platform twilio: the Account SID (AC…)')
      .option('--twilio-workspace-sid <sid>', "with --platform twilio: Flex's TaskRouter Workspace SID (WS…)")
      .option(
        '--media-stream-url <url>',
        "with --platform twilio: das-Peak's Twilio Media Streams URL (wss://…)",
      );
  },
  async run(ctx, raw) {
    const o = raw as InitOptions;
    const file = ctx.configPath;
    if (existsSync(file) && !o.force) {
      throw new KitError(
        'init.exists',
        `${relative(ctx.io.cwd, file) || file} already exists; nothing written`,
        {
          hint: 'pass --force to overwrite it, or --config <other file>',
        },
      );
    }
    const twilio = o.platform === 'twilio';
    const genesysFlags = (
      [
        ['region', '--region'],
        ['genesysBaseUrl', '--genesys-base-url'],
        ['genesysPort', '--genesys-port'],
        ['genesysClientId', '--genesys-client-id'],
        ['queue', '--queue'],
        ['audiohookUri', '--audiohook-uri'],
      ] as const
    ).filter(([k]) => o[k] !== undefined);
    const twilioFlags = (
      [
        ['twilioPort', '--twilio-port'],
        ['twilioAccountSid', '--twilio-account-sid'],
        ['twilioWorkspaceSid', '--twilio-workspace-sid'],
        ['mediaStreamUrl', '--media-stream-url'],
      ] as const
    ).filter(([k]) => o[k] !== undefined);
    if (twilio && genesysFlags.length > 0) {
      throw new KitError(
        'init.flag_for_other_platform',
        `${genesysFlags.map(([, f]) => f).join(', ')} ${genesysFlags.length > 1 ? 'are' : 'is'} for a Genesys config, not --platform twilio`,
        { hint: 'drop the Genesys flags, or leave out --platform twilio' },
      );
    }
    if (!twilio && twilioFlags.length > 0) {
      throw new KitError(
        'init.flag_for_other_platform',
        `${twilioFlags.map(([, f]) => f).join(', ')} ${twilioFlags.length > 1 ? 'go' : 'goes'} with --platform twilio`,
        { hint: 'add --platform twilio' },
      );
    }
    const answers: ExampleAnswers = {
      sandbox: o.sandbox,
      platform: twilio ? 'twilio' : 'genesys',
      twilioPort: o.twilioPort,
      twilioAccountSid: o.twilioAccountSid,
      twilioWorkspaceSid: o.twilioWorkspaceSid,
      mediaStreamUrl: o.mediaStreamUrl,
      prefix: o.prefix,
      region: o.region,
      genesysBaseUrl: o.genesysBaseUrl,
      genesysPort: o.genesysPort,
      daspeakPort: o.daspeakPort,
      backendPort: o.backendPort,
      genesysClientId: o.genesysClientId,
      daspeakRestUrl: o.daspeakRestUrl,
      daspeakSocketUrl: o.daspeakSocketUrl,
      daspeakTokenUrl: o.daspeakTokenUrl,
      daspeakClientId: o.daspeakClientId,
      audiohookUri: o.audiohookUri,
      modelHash: o.modelHash,
      publicUrl: o.publicUrl,
      databaseUrl: o.databaseUrl,
      queues: o.queue,
    };
    const portFlags = (['genesysPort', 'daspeakPort', 'backendPort', 'twilioPort'] as const).filter(
      (k) => o[k] !== undefined,
    );
    if (!o.sandbox && portFlags.length > 0) {
      throw new KitError(
        'init.ports_without_sandbox',
        '--genesys-port, --daspeak-port, --backend-port and --twilio-port go with --sandbox',
        {
          hint: 'add --sandbox, or give the URLs (--genesys-base-url, --daspeak-rest-url, --public-url …)',
        },
      );
    }
    if (!o.sandbox && !o.yes && !ctx.globals.json && ctx.io.stdin.isTTY) {
      await ask(ctx.io, answers, [...(twilio ? TWILIO_QUESTIONS : GENESYS_QUESTIONS), ...COMMON_QUESTIONS]);
    }

    const values = exampleValues(answers);
    writeFileSync(file, renderExample(values), { mode: 0o600 });
    const env = referencedEnv(values);
    ctx.printJson({ ok: true, file, env });
    ctx.print(`wrote ${relative(ctx.io.cwd, file) || file}`);
    if (o.sandbox && twilio) {
      const v = values as { twilio: { apiBaseUrl: string }; daspeak: { socketio: { url: string } } };
      ctx.print(
        `Twilio stand-in ${v.twilio.apiBaseUrl}, das-Peak emulator ${v.daspeak.socketio.url} (start both with: daspeak-genesys sandbox)`,
      );
    } else if (o.sandbox) {
      const v = values as {
        genesys: { baseUrl: string };
        daspeak: { socketio: { url: string } };
        widget: { queues: string[] };
      };
      ctx.print(
        `sandbox org ${v.genesys.baseUrl}, das-Peak emulator ${v.daspeak.socketio.url}, queue "${v.widget.queues.join('", "')}" (the sandbox org's seeded queue)`,
      );
    }
    if (env.length > 0) ctx.print(`set these environment variables before use: ${env.join(', ')}`);
    ctx.print('check it with: daspeak-genesys validate');
  },
});

async function ask(
  io: { stdin: NodeJS.ReadableStream; stderr: NodeJS.WritableStream },
  answers: ExampleAnswers,
  questions: [keyof ExampleAnswers, string][],
) {
  // Lines are read through the iterator, which buffers them: answers typed (or pasted) ahead of a
  // prompt are kept for the next question instead of being dropped as question() would.
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (const [key, question] of questions) {
      if (answers[key] !== undefined) continue;
      io.stderr.write(`${question} (empty = \${env:…} reference or default): `);
      const next = await lines.next();
      if (next.done) {
        io.stderr.write('\n');
        throw new KitError('init.cancelled', 'init cancelled at a question; nothing written', {
          hint: 'answer every question (empty keeps the default), or pass flags with --yes',
        });
      }
      const reply = String(next.value).trim();
      if (!reply) continue;
      if (key === 'region' && !(GENESYS_REGIONS as readonly string[]).includes(reply)) {
        io.stderr.write(`  "${reply}" is not a Genesys region; keeping the default\n`);
        continue;
      }
      (answers as Record<string, unknown>)[key] = reply;
    }
  } finally {
    rl.close();
  }
}
