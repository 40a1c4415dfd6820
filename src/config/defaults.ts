/**
 * Well-known values of the local sandboxes (`daspeak-genesys sandbox`). They are test credentials
 * for processes bound to 127.0.0.1 and protect nothing; `init --sandbox` and `npm start` use them so
 * a newcomer gets a working system with no configuration.
 */
export const SANDBOX = {
  host: '127.0.0.1',
  genesysPort: 4010,
  daspeakPort: 4020,
  backendPort: 8080,
  /** The local Twilio stand-in (REST, IAM, TaskRouter and the Flex desktop page on one origin). */
  twilioPort: 4030,
  genesys: {
    clientId: 'sandbox-admin-client',
    clientSecret: 'sandbox-admin-secret',
    organizationId: '7f3f5e2a-1c4b-4d7e-9a61-0b1c2d3e4f50',
    /** The seeded queue calls are placed on. */
    queue: 'Support',
  },
  daspeak: {
    restPath: '/dpsrest',
    tokenPath: '/socket.io/oauth2/token',
    audiohookPath: '/audiohook/ws',
    twilioPath: '/twilio/ws',
    apiKey: 'sandbox-rest-api-key',
    clientId: 'sandbox-sio-client',
    clientSecret: 'sandbox-sio-secret',
    audiohookApiKey: 'sandbox-audiohook-key',
    // base64 of "sandbox-audiohook-client-secret!"
    audiohookClientSecret: 'c2FuZGJveC1hdWRpb2hvb2stY2xpZW50LXNlY3JldCE=',
    modelHash: 'sandbox-model-v1',
  },
  /** The stand-in's Twilio account: fixed SIDs (AC/WS/WK + 32 hex digits) and a test auth token. */
  twilio: {
    accountSid: 'ACfccd0d3c82ee31b632f0eed6d78dd5a1',
    authToken: 'sandbox-twilio-auth-token',
    workspaceSid: 'WS6a0ca29e1b8d094a828c8766e1b4dca9',
    /** The Twilio number sandbox calls are placed to. */
    phoneNumber: '+15005550006',
    /** Flex agents (TaskRouter workers) of the stand-in; the first takes the calls by default. */
    workers: [
      { sid: 'WK9ddd28f3842f466691d7b67513302f56', identity: 'alex', friendlyName: 'Alex Agent' },
      { sid: 'WK2df3e0836a4fbb05bfc71980ba292cf0', identity: 'sam', friendlyName: 'Sam Agent' },
    ],
  },
  backend: {
    apiKey: 'sandbox-backend-api-key-0123456789',
    // base64 of 32 bytes; a sandbox-only key.
    encryptionKey: 'c2FuZGJveC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyE=',
  },
} as const;
