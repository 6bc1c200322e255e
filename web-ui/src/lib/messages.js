// What to do about an error, by its problem+json `code` (docs/api-errors.md lists them all). The
// server's `detail` says what went wrong; this adds the next step for a console user.
const ADVICE = {
  'network-error': 'Check your network connection and that the server is running, then try again.',
  'database-unavailable': 'The server cannot reach its database right now. Wait a moment and try again; reads are safe to repeat.',
  'forbidden': 'Your token\'s role lacks the permission this needs. Ask an admin for a token with it.',
  'out-of-scope': 'Your token is scoped to some models only and cannot do this. Use an unscoped token.',
  'version-immutable': 'A published version cannot change. Create a new version instead.',
  'digest-mismatch': 'The file changed or was corrupted on its way. Upload it again.',
  'invalid-filter': 'Fix the filter at the marked position.',
};

export function advice(error) {
  return error && error.code ? ADVICE[error.code] || null : null;
}
