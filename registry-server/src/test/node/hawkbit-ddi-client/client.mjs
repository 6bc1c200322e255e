// One device session with the npm hawkBit DDI client library @awesomeorganization/hawkbit-ddi,
// unchanged: poll, answer configData, then act on what the server offers (deploymentBase or
// cancelAction) as a device would, and print one JSON line with what happened.
//
// Environment: DDI_URL (server root), CONTROLLER_ID, TARGET_TOKEN or GATEWAY_TOKEN, ARTIFACTS
// (directory for downloads), OUTCOME (success | failure: what the "installation" reports),
// DOWNLOAD_FIELD (link relation to download from; default download-http).
//
// The library waits the server's polling interval before every poll but its first. A fresh
// client per poll keeps this script as quick as the server lets a device be, without changing
// the library; each poll, download and feedback still goes through the library's own code.
import { constants, hawkBitDDI } from '@awesomeorganization/hawkbit-ddi'

const env = process.env
const MAX_POLLS = 10

const client = () =>
  hawkBitDDI({
    artifactsPath: env.ARTIFACTS,
    controllerId: env.CONTROLLER_ID,
    downloadField: env.DOWNLOAD_FIELD ?? 'download-http',
    gatewayToken: env.GATEWAY_TOKEN,
    hashAlgorithm: 'sha1',
    targetToken: env.TARGET_TOKEN,
    tenant: 'DEFAULT',
    url: env.DDI_URL,
  })

const fail = (what, error) => {
  console.log(JSON.stringify({ error: `${what}: ${error?.message ?? error}` }))
  process.exit(1)
}

const deploy = async (methods) => {
  const deployment = await methods.get()
  if (deployment instanceof Error) fail('deploymentBase', deployment)
  const chunks = deployment.deployment.chunks
  const artifacts = chunks.flatMap((chunk) => chunk.artifacts)
  const result = { action: deployment.id, chunks: chunks.length, files: artifacts.map((a) => a.filename) }
  await methods.postFeedback({
    cnt: 1,
    details: ['downloading'],
    execution: constants.execution.proceeding,
    finished: constants.finished.none,
    of: 2,
  })
  for (const artifact of artifacts) {
    const downloaded = await methods.downloadArtifact(artifact)
    if (downloaded instanceof Error) {
      await methods.postFeedback({
        details: [`download failed: ${downloaded.message}`],
        execution: constants.execution.closed,
        finished: constants.finished.failure,
      })
      fail(`download of ${artifact.filename}`, downloaded)
    }
    // The library answers 0 when the file was complete already, the resumed offset after a
    // Range request, or the size after a whole download.
    result.downloaded = downloaded
  }
  const success = (env.OUTCOME ?? 'success') === 'success'
  const answer = await methods.postFeedback({
    cnt: 2,
    details: [success ? 'installed' : 'installation failed'],
    execution: constants.execution.closed,
    finished: success ? constants.finished.success : constants.finished.failure,
    of: 2,
  })
  if (answer instanceof Error) fail('feedback', answer)
  result.reported = success ? 'success' : 'failure'
  return result
}

const cancel = async (methods) => {
  const asked = await methods.get()
  if (asked instanceof Error) fail('cancelAction', asked)
  const answer = await methods.postFeedback({
    details: ['canceled before download'],
    execution: constants.execution.closed,
    finished: constants.finished.success,
  })
  if (answer instanceof Error) fail('cancel feedback', answer)
  return { canceled: asked.cancelAction.stopId }
}

for (let poll = 0; poll < MAX_POLLS; poll++) {
  const ddi = await client()
  const next = await ddi.polling()
  if (next instanceof Error) fail('poll', next)
  if (next.action === 'configData') {
    const answer = await next.methods.put({
      data: { hw_revision: '2', product: 'node-client' },
      details: [],
      execution: constants.execution.closed,
      finished: constants.finished.success,
      mode: constants.mode.merge,
    })
    if (answer instanceof Error) fail('configData', answer)
    continue
  }
  if (next.action === 'deploymentBase') {
    console.log(JSON.stringify(await deploy(next.methods)))
    process.exit(0)
  }
  if (next.action === 'cancelAction') {
    console.log(JSON.stringify(await cancel(next.methods)))
    process.exit(0)
  }
  console.log(JSON.stringify({ idle: true }))
  process.exit(0)
}
fail('session', `nothing but configData in ${MAX_POLLS} polls`)
