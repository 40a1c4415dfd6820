/**
 * `authorizedGrantType` values of Genesys OAuth clients. The five below are confirmed (Java SDK
 * `AuthorizedGrantTypeEnum`, Terraform's `genesyscloud_oauth_client` validation).
 */
export const CONFIRMED_GRANT_TYPES = [
  'CODE',
  'TOKEN',
  'SAML2-BEARER',
  'PASSWORD',
  'CLIENT-CREDENTIALS',
] as const;

/**
 * The "PKCE-Enabled Code Authorization grant type - Code grant type which requires PKCE challenge and
 * verifier to create tokens. Used in public clients" that Genesys' SDK models describe
 * (`OAuthClient.authorizedGrantType`). Its wire value is NOT confirmed: the generated SDK enums and
 * Terraform's validation still list only the five above. `PKCE` is the kit's best reading; it is this
 * one constant, used by provisioning and by the sandbox org alike, so one edit changes both.
 */
export const PKCE_GRANT_TYPE = 'PKCE';
