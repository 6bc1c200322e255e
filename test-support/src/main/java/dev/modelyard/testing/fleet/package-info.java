/**
 * A fleet simulator: many lightweight simulated devices in one process, speaking the real hawkBit
 * DDI API over HTTP (base poll with ETag, configData, deploymentBase, artifact download, feedback,
 * cancelAction), so rollout tests and the rollout benchmark drive the server exactly as devices
 * do. No thread per device: polls are timer tasks on one scheduler and requests are asynchronous,
 * with a bound on how many are in flight. Each device records when it saw, fetched, downloaded and
 * closed every action ({@link dev.modelyard.testing.fleet.ActionTrace}), and the fleet keeps
 * counters and a poll-latency histogram.
 */
package dev.modelyard.testing.fleet;
