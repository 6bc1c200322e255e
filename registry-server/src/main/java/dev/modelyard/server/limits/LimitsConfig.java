package dev.modelyard.server.limits;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The server's defences against slow, stalled and too eager clients ({@code modelyard.limits.*}).
 * Each limit is read into a value ({@link Rate}, {@link UploadCaps}, {@link BodyPace}) so that,
 * once tenants exist, a tenant's settings can override it without changing the code that
 * enforces it.
 */
@ConfigMapping(prefix = "modelyard.limits")
public interface LimitsConfig {

    Uploads uploads();

    /** Every request body: how slowly it may arrive, and how large a non-upload body may be. */
    Bodies bodies();

    /** Management API ({@code /api/v1}) rate limits. */
    Api api();

    /** hawkBit DDI rate limits. */
    Ddi ddi();

    /** Largest number of keys (tokens, devices, addresses) each rate limiter remembers at once. */
    @WithDefault("100000")
    int maxTrackedKeys();

    /** Concurrent uploads (artifact PUT, multipart POST, resumable PATCH), checked before a thread is taken. */
    interface Uploads {
        /** Uploads in progress on this replica; well below the worker pool so the API and polls always have threads. */
        @WithDefault("32")
        int maxConcurrent();

        /** Uploads in progress with one API token. */
        @WithDefault("8")
        int perToken();

        /** Uploads in progress from one client address. */
        @WithDefault("16")
        int perAddress();

        /** What a refused upload is told to wait (Retry-After). */
        @WithDefault("PT10S")
        Duration retryAfter();
    }

    interface Bodies {
        /**
         * The slowest a request body may arrive, in bytes per second, averaged over {@link #window()}.
         * A body slower than this is ended with 408 ({@code upload-too-slow}); 0 turns the check off.
         */
        @WithDefault("1K")
        MemorySize minRate();

        /** How long the rate is measured over; a stalled body is ended after one to two windows. */
        @WithDefault("PT60S")
        Duration window();

        /** Largest body of a request that is not an upload (JSON, text); larger ones get 413 ({@code body-too-large}). */
        @WithDefault("16M")
        MemorySize maxNonUpload();
    }

    interface Api {
        /** Requests per API token; 0 per-second turns it off. */
        RateSetting perToken();

        /** Requests per client address, authenticated or not. */
        RateSetting perAddress();
    }

    interface Ddi {
        /** Requests per device (controller id), cached polls included. */
        RateSetting perDevice();

        /**
         * Requests per client address. Off by default: a fleet behind one NAT address is normal,
         * and each device is limited on its own.
         */
        RateSetting perAddress();
    }

    /** A token bucket: refills {@code per-second}, holds at most {@code burst}. */
    interface RateSetting {
        double perSecond();

        int burst();

        default Rate rate() {
            return new Rate(perSecond(), burst());
        }
    }
}
