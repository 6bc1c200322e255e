package dev.modelyard.server.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every Modelyard setting. Each one can be set as an environment variable by Quarkus rules:
 * {@code modelyard.storage.s3.bucket} is {@code MODELYARD_STORAGE_S3_BUCKET}.
 */
@ConfigMapping(prefix = "modelyard")
public interface ModelyardConfig {

    /** The first admin API token; when absent and no admin exists, one is generated and logged once. */
    Optional<String> adminToken();

    /**
     * Where the server keeps local state: the filesystem blob store, upload staging, and the
     * embedded PostgreSQL when no database is configured.
     */
    @WithDefault("data")
    Path dataDir();

    Storage storage();

    EmbeddedPostgres embeddedPostgres();

    /**
     * The PostgreSQL server this process starts, in {@code <data-dir>/postgres}, when no
     * {@code quarkus.datasource.jdbc.url} is set. Read before start-up by
     * {@code dev.modelyard.server.ServerMain}; declared here so it is a known setting.
     */
    interface EmbeddedPostgres {
        /** Its loopback port; 0 picks a free one at every start. */
        @WithDefault("0")
        int port();
    }

    Upload upload();

    Signing signing();

    Validation validation();

    /** Checks on uploaded files of formats the registry can read (ONNX). */
    interface Validation {
        /** ONNX files larger than this are refused (422) without being parsed. */
        @WithDefault("2G")
        MemorySize onnxMaxSize();

        /** Lowest accepted version of the default ONNX operator set. */
        @WithDefault("7")
        int onnxMinOpset();

        /** Highest accepted version of the default ONNX operator set. */
        @WithDefault("23")
        int onnxMaxOpset();
    }

    Conversion conversion();

    /** Conversion jobs: the worker pool of this replica, retries, leases and external commands. */
    interface Conversion {
        /** Jobs this replica runs at once; 0 means it takes no jobs (other replicas do). */
        @WithDefault("1")
        int workers();

        /** How often an idle worker looks for due jobs; a job enqueued on this replica wakes it at once. */
        @WithDefault("PT2S")
        Duration pollInterval();

        /**
         * How long a claim is valid without renewal. A running worker renews it several times per
         * period; when a replica dies its jobs are taken again once this has passed.
         */
        @WithDefault("PT60S")
        Duration leaseDuration();

        /** Delay before the first retry after a transient failure (storage I/O); doubles each time. */
        @WithDefault("PT30S")
        Duration retryBackoff();

        /** The longest delay between retries. */
        @WithDefault("PT30M")
        Duration maxBackoff();

        /** Attempts a job gets unless its profile says otherwise. */
        @WithDefault("3")
        int maxAttempts();

        /** The time one attempt may take unless its profile says otherwise. */
        @WithDefault("PT1H")
        Duration jobTimeout();

        /** Generated inputs each result is compared to its source on. */
        @WithDefault("8")
        int equivalenceSamples();

        /**
         * Executables command steps may run (absolute paths). Unset: the default tenant's admins
         * may run any absolute path (they operate the server), and other tenants may define no
         * command steps at all, since a program on the shared server could read its secrets.
         */
        Optional<List<String>> allowedCommands();

        /** Output of a command step kept in the job log; the rest is dropped. */
        @WithDefault("64K")
        MemorySize commandOutputLimit();
    }

    Metrics metrics();

    /** Prometheus metrics at {@code /q/metrics}. */
    interface Metrics {
        /**
         * Figures counted in the database (devices, actions, conversion jobs, signed metadata) are
         * read when scraped, at most once per this interval; between reads scrapes see the last counts.
         */
        @WithDefault("PT30S")
        Duration refreshInterval();
    }

    Rollout rollout();

    /** The rollout engine of this replica (every replica runs one; each step of a rollout runs on one replica at a time). */
    interface Rollout {
        /** How often the engine looks for rollouts with work to do; changes through the API wake it sooner. */
        @WithDefault("PT1S")
        Duration tickInterval();

        /** Progress samples (the time series) are written at most this often per rollout, and on every state change. */
        @WithDefault("PT10S")
        Duration sampleInterval();

        /** Devices assigned in one transaction. */
        @WithDefault("500")
        int batchSize();

        /**
         * Device changes waiting to be checked against dynamic rollouts, at most (per replica).
         * Past it a change is dropped (counted in {@code modelyard.rollout.joins.dropped}); the
         * device then joins on its next change.
         */
        @WithDefault("10000")
        int joinQueueSize();
    }

    Push push();

    /**
     * Push hints: after a change to a device's poll answer commits, the replica that made it
     * publishes {@code {tenant}/devices/{controllerId}/notify} with {@code {"v":<state version>}}
     * on an MQTT broker, so a subscribed device polls at once. Off unless {@code mqtt.url} is set;
     * polling stays the fallback either way.
     */
    interface Push {
        Mqtt mqtt();

        /** Hints published per second at most, by this replica: the safety net under a rollout's own pace. */
        @WithDefault("2000")
        int maxPerSecond();

        /**
         * Devices waiting for a hint, at most; a device already waiting is not added twice. Past
         * this (or while the broker is down) hints are dropped and counted: devices then poll on
         * their schedule.
         */
        @WithDefault("100000")
        int queueSize();

        /** The broker connection. */
        interface Mqtt {
            /** {@code tcp://host:1883} or {@code ssl://host:8883}; unset: no push. */
            Optional<String> url();

            /** Unset: connect without a user name. */
            Optional<String> username();

            /** A file holding the broker password (trailing line breaks ignored). */
            Optional<Path> passwordFile();

            /** The longest pause between two attempts to reach the broker (attempts back off from 0.5 s). */
            @WithDefault("PT30S")
            Duration reconnectMaxDelay();

            /** Hints sent but not yet acknowledged by the broker (QoS 1), at most. */
            @WithDefault("1000")
            int maxInflight();
        }
    }

    Ddi ddi();

    /** The hawkBit DDI device API. */
    interface Ddi {
        /**
         * The tenant's gateway token ({@code Authorization: GatewayToken <token>}): lets any device
         * poll and registers unknown controller ids on their first poll. Unset: only device tokens work.
         */
        Optional<String> gatewayToken();

        /** The poll interval devices are told ({@code config.polling.sleep}). */
        @WithDefault("PT5M")
        Duration pollingSleep();

        /**
         * The poll interval of a new device: one that has no model installed yet and was
         * registered less than {@link #newDevicePeriod()} ago, so a first deployment reaches it
         * quickly. Never longer than {@link #pollingSleep()}.
         */
        @WithDefault("PT10S")
        Duration newDevicePollingSleep();

        /** How long after its registration a device without an installed model counts as new; 0 turns it off. */
        @WithDefault("PT1H")
        Duration newDevicePeriod();

        /**
         * The longest a replica trusts a cached device-token lookup. Rotations and deletions on
         * any replica evict it sooner, through the device change feed.
         */
        @WithDefault("PT1H")
        Duration tokenCacheTtl();

        /**
         * Listen to device changes (PostgreSQL LISTEN/NOTIFY on a connection of its own) so that
         * cached polls need no database read. Turn off where no session-level connection is
         * possible (a pooler in transaction mode): every poll then checks the device's state
         * version with one primary-key read.
         */
        @WithDefault("true")
        boolean changeFeed();

        /** How often last-seen times of polling devices are written, in one statement. */
        @WithDefault("5s")
        String lastSeenFlushInterval();

        /**
         * A device's last-seen time is written again only once it is this much newer than the
         * time this replica wrote last: a fleet polling often does not rewrite every device row
         * every few seconds.
         */
        @WithDefault("PT1M")
        Duration lastSeenResolution();

        /**
         * Answer cached polls straight from the HTTP layer's I/O thread (pre-rendered bytes, token
         * checked against the in-memory index); anything it cannot answer goes the general way.
         */
        @WithDefault("true")
        boolean fastPoll();

        /** Bounds of the poll path's in-memory caches. */
        Cache cache();

        interface Cache {
            /**
             * The most devices whose token and rendered poll answer each replica keeps in memory
             * (those not polled lately are dropped; their next poll costs one indexed read).
             * About 0.38 KiB of heap per device with the device rate limiter, which it also sizes; see docs/architecture.md.
             */
            @WithDefault("1000000")
            int maxDevices();
        }
    }

    interface Signing {
        /**
         * The release key as a key file (see docs/signing.md). Without this or {@link #releaseKey()},
         * a key is generated into {@code <data-dir>/keys/release-key.json} at first start.
         */
        Optional<Path> releaseKeyFile();

        /** Passphrase of an encrypted release key file. */
        Optional<String> releaseKeyPassphrase();

        /** The release key as the base64 of its 32-byte seed, for secrets passed in the environment. */
        Optional<String> releaseKey();

        /** How long signed artifact metadata is valid; devices refuse expired metadata. */
        @WithDefault("P30D")
        Duration metadataLifetime();

        /**
         * How long a rollback authorization (the permission to install one older release) stays
         * valid. It is signed once, when the rollback is assigned, and not renewed: a device offline
         * for longer refuses the downgrade and the action fails; assign it again.
         */
        @WithDefault("P90D")
        Duration rollbackLifetime();

        /** Metadata expiring within this period is signed again (same content, new validity). */
        @WithDefault("P10D")
        Duration renewBefore();

        /** How often expiring metadata is looked for. */
        @WithDefault("1h")
        String renewInterval();

        /** Refuse uploads that carry no valid publisher signature. */
        @WithDefault("false")
        boolean requirePublisherSignature();
    }

    interface Storage {
        /** {@code filesystem} (default) or {@code s3}. */
        @WithDefault("filesystem")
        StoreType type();

        /** Blob directory of the filesystem store; defaults to {@code <data-dir>/blobs}. */
        Optional<Path> filesystemRoot();

        S3 s3();

        /** Unreferenced blobs and abandoned staging files younger than this are never collected. */
        @WithDefault("PT1H")
        Duration gcGrace();

        /** How often garbage collection runs (e.g. 15m, 1h). */
        @WithDefault("15m")
        String gcInterval();
    }

    enum StoreType { FILESYSTEM, S3 }

    interface S3 {
        /** e.g. http://127.0.0.1:9000 for MinIO. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        @WithDefault("modelyard")
        String bucket();

        Optional<String> accessKey();

        Optional<String> secretKey();

        /** Objects are written with multipart uploads of parts this large. */
        @WithDefault("64M")
        MemorySize partSize();

        PresignedDownloads presignedDownloads();
    }

    /**
     * Artifact downloads answered with a redirect to a short-lived presigned S3 URL, so the bytes
     * go from the bucket to the client without passing through the server.
     */
    interface PresignedDownloads {
        /** Off by default: clients must reach the bucket and follow redirects. */
        @WithDefault("false")
        boolean enabled();

        /** How long a presigned URL stays valid; a client that resumes later asks the server again. */
        @WithDefault("PT10M")
        Duration ttl();

        /**
         * The S3 endpoint as clients reach it, when it differs from {@code endpoint} (e.g. a public
         * host name in front of an in-cluster MinIO); URLs are signed for this host.
         */
        Optional<String> endpoint();
    }

    interface Upload {
        /** Largest artifact accepted; bigger uploads get 413. */
        @WithDefault("20G")
        MemorySize maxSize();

        /** A resumable upload session with no new data for this long is discarded. */
        @WithDefault("PT24H")
        Duration sessionTtl();

        /** How often abandoned sessions are looked for. */
        @WithDefault("10m")
        String sweepInterval();
    }
}
