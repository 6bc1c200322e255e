// What to do about an error, by its problem+json `code` (docs/api-errors.md lists them all). The
// server's `detail` says what went wrong; this adds the next step for a console user. Every code a
// console user can meet has advice here; a page may pass its own, more precise advice instead.
const ADVICE = {
  // Reaching the server
  'network-error': 'Check your network connection and that the server is running, then try again.',
  'database-unavailable': 'The server cannot reach its database right now. Wait a moment and try again; reads are safe to repeat. A change may or may not have been saved: look before you repeat it.',
  'unavailable': 'The server is busy or restarting. Wait a moment and try again.',
  'internal-error': 'The server failed. Try again; if it keeps failing, give an operator the time of the error: the cause is in the server\'s log.',
  'rate-limited': 'Too many requests in a short time. Wait a few seconds and try again.',
  'too-many-uploads': 'As many uploads are running as allowed. Wait for one to finish, then try again.',
  'storage-full': 'The server has no room left for this file. Ask an operator to free space, then upload again.',
  'upload-too-slow': 'The connection was too slow and the server ended it. Try again on a better connection; a resumable upload continues where it stopped.',

  // Who may do what
  'unauthorized': 'Your token is missing, unknown, expired or revoked. Sign in again with a valid token.',
  'tenant-disabled': 'Your tenant is disabled; its data is kept. Ask the system administrator to enable it again.',
  'forbidden': 'Your token\'s role lacks the permission this needs. Ask an admin for a token with it.',
  'out-of-scope': 'Your token is scoped to some models only and cannot do this. Use an unscoped token.',
  'permission-not-held': 'You cannot give permissions your own token lacks. Leave them out, or ask an admin whose token holds them.',
  'tenant-mismatch': 'The token belongs to another tenant. Use a token of the tenant you meant, or leave the tenant empty.',
  'self-approval': 'Someone other than the rollout\'s creator must approve it. Ask a colleague with rollouts:approve.',
  'commands-not-allowed': 'Command steps run programs on the shared server and are not allowed for this tenant. Ask the server operator to allow the program.',

  // Input
  'bad-request': 'Correct the request as the message says and try again.',
  'invalid-json': 'The data sent is not valid JSON. Correct it at the line and column named.',
  'invalid-field-type': 'A field has the wrong kind of value. Correct the field named.',
  'invalid-field': 'A field has a value that is not allowed. Correct the field named.',
  'missing-field': 'A required field is empty. Fill it in.',
  'missing-body': 'The request needs data and got none. Fill in the form and try again.',
  'unknown-field': 'A field is not one this operation takes. Remove it (check its spelling).',
  'unknown-query-parameter': 'The address names a parameter this page\'s request does not take. Reload the page; if it persists, report it.',
  'invalid-parameter': 'A value in the request is not allowed. Correct the value named.',
  'invalid-name': 'Names use lower-case letters, digits, \'.\', \'_\' and \'-\', start with a letter or digit, at most 63 characters.',
  'invalid-character': 'Remove the control character from the value named.',
  'invalid-encoding': 'The address is malformed. Reload the page from a clean link.',
  'invalid-root': 'The file is not a signed root document. Create it with the modelyard command (root init or root rotate) and upload that file.',
  'invalid-filter': 'Fix the filter at the marked position.',
  'incomplete-upload': 'The file did not arrive whole. Upload it again; a resumable upload continues from where it stopped.',
  'uri-too-long': 'The request is too long. Use fewer or shorter filters.',
  'headers-too-large': 'The request carries too much. Sign out and in again; if it persists, clear this site\'s data in the browser.',
  'body-too-large': 'What was sent is larger than the server takes. Send less at once.',
  'too-large': 'Part of what was sent is larger than allowed. Make it smaller.',
  'unsupported-media-type': 'The server does not read this kind of data here. Report it: the console sent the wrong type.',
  'not-acceptable': 'The server cannot answer in the format asked for. Reload the page.',
  'method-not-allowed': 'This action is not possible on this item. Reload the page: it may have changed.',
  'range-not-satisfiable': 'The part of the file asked for does not exist. Download the whole file again.',

  // Not found
  'not-found': 'Nothing exists at this address. It may have been deleted; go back to the list.',
  'model-not-found': 'The model does not exist (or your token\'s scope hides it). Check the name, or go back to the model list.',
  'version-not-found': 'The model has no such version or alias. Check it in the model\'s version list.',
  'alias-not-found': 'The model has no such alias. See the model\'s aliases.',
  'artifact-not-found': 'The version has no such file. See the version\'s artifacts.',
  'release-not-found': 'The version is a draft or not signed yet, so it has no release metadata. Publish it first.',
  'device-not-found': 'No device has this id. Check the id in the device list.',
  'action-not-found': 'No such action (for this device). It may belong to another device.',
  'upload-not-found': 'The resumable upload no longer exists (it finished, was cancelled or expired). Start the upload again.',
  'job-not-found': 'No such conversion job. See the job list.',
  'profile-not-found': 'No such conversion profile. See the profile list.',
  'token-not-found': 'No such API token. Reload the token list.',
  'role-not-found': 'No role of this name. Pick one from the role list.',
  'tenant-not-found': 'No such tenant. Reload the tenant list.',
  'publisher-key-not-found': 'No such publisher key. Reload the key list.',
  'root-not-found': 'No root metadata exists yet. Sign a root offline with the modelyard command and upload it (see Signing and trust in the README).',
  'rollout-not-found': 'No rollout with this id. See the rollout list.',
  'delta-not-found': 'No such delta for this file. See the file\'s deltas.',
  'device-group-not-found': 'No device group of this name. See the saved groups.',
  'git-source-not-found': 'No git source of this name. See the Git sync list.',
  'gone': 'This no longer exists (it was revoked or closed). Go back to the list.',

  // State
  'conflict': 'The item changed meanwhile. Reload it and try again.',
  'already-exists': 'Something with this name exists already. Choose another name.',
  'concurrent-request': 'Another request is changing this item right now. Try again in a moment.',
  'version-not-draft': 'Only a draft can be changed this way, and this version is published. Create a new version instead.',
  'version-immutable': 'A published version cannot change. Create a new version instead.',
  'version-not-deployable': 'Only a published version that is not deprecated or revoked can be deployed. Publish it, or pick another version.',
  'invalid-status-transition': 'The version cannot move to that status from its current one (a revoked version stays revoked).',
  'version-not-publishable': 'The version cannot be published yet: add an artifact, or make its self-test fit its files.',
  'model-has-releases': 'A model with released versions cannot be deleted. Deprecate or revoke its versions instead.',
  'target-taken': 'The version has a file for this target already. Remove that file first, or choose another target.',
  'already-finished': 'It has finished (or is being cancelled) already. Reload to see its final state.',
  'upload-offset-mismatch': 'The upload and the server disagree on how much arrived. Resume: the console continues from the server\'s offset.',
  'role-built-in': 'Built-in roles cannot be changed or deleted. Create a custom role instead.',
  'role-in-use': 'Tokens that are not revoked still carry this role. Revoke them (or issue them with another role) first, then delete it.',
  'nothing-to-convert': 'There is nothing to convert: enable a conversion profile, or add an ONNX file to the version.',
  'release-counter-rollback': 'The device runs a newer release. Assign with rollback allowed (needs rollouts:rollback), or publish the older model again as a newer release.',
  'rollout-state': 'The rollout\'s state does not allow this now. Reload to see its state.',
  'action-not-cancelable': 'The action is closed or being cancelled already, so it cannot be cancelled (again). Reload to see its state; one still "canceling" can be closed without the device.',
  'action-closed': 'The action is closed already; nothing more can change on it. Reload to see how it ended.',
  'locked': 'The file belongs to a released version and cannot change. Create a new version instead.',

  // Content
  'unprocessable': 'The server cannot use what was sent. Correct it as the message says.',
  'digest-mismatch': 'The file changed or was corrupted on its way. Upload it again.',
  'delta-base-invalid': 'The base must be a file of another version of this model (of the same format), not this file itself. Pick another base: a published version, or the SHA-256 of one of the model\'s files.',
  'delta-target-too-small': 'This file is smaller than the server\'s minimum for deltas (modelyard.delta.min-size), so none is built: devices download it whole.',
  'invalid-model': 'The file is not a valid model of its format. Check the file and its format.',
  'signature-required': 'This registry requires a publisher signature. Sign the upload with a registered publisher key.',
  'invalid-signature': 'The publisher signature is by an unknown or revoked key, or does not match the file. Sign it again with a registered key.',
  'root-not-trusted': 'The new root is not signed by enough keys of the current root. Sign it with the current root\'s keys (its threshold) and its own.',
};

/** The advice for an error (an ApiError or anything with a `code`), or null when there is none. */
export function advice(error) {
  return error && error.code ? ADVICE[error.code] || null : null;
}

/** Every code with advice, for tests. */
export const adviceCodes = () => Object.keys(ADVICE);
