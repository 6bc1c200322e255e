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
  // Models, versions, uploads (b-models)
  'model-has-releases': 'A model with released versions cannot be deleted. Deprecate or revoke its versions instead; the model stays for the record.',
  'version-not-draft': 'Only a draft can change this way. Create a new draft version for new files.',
  'version-not-publishable': 'Upload at least one file, and make the self-test vectors match the I/O signature, then publish again.',
  'version-not-deployable': 'An alias or deployment needs a published version. Publish the version first.',
  'invalid-status-transition': 'Reload the page: the version may have changed meanwhile. A revoked version stays revoked.',
  'already-exists': 'Choose another name, or open the existing one.',
  'target-taken': 'The version already has a file for this target. Remove that file first, or change the target fields.',
  'invalid-model': 'The file is not a usable ONNX model. Export it again (one file, no external data) and upload it again.',
  'upload-not-found': 'The upload session expired or was cancelled. Start the upload again.',
  'too-large': 'The file is larger than the server accepts. Ask the operator to raise the upload limit.',
  'body-too-large': 'The file is larger than the server accepts. Ask the operator to raise the upload limit.',
  'storage-full': 'The server has no room for this file now. Ask the operator to free space, then upload again.',
  'too-many-uploads': 'Too many uploads are running. Wait for one to finish and resume.',
  'nothing-to-convert': 'The version needs an uploaded ONNX fp32 file and an enabled conversion profile it does not have yet.',
  'gone': 'The version is revoked: it has no signed metadata any more.',
};

export function advice(error) {
  return error && error.code ? ADVICE[error.code] || null : null;
}
