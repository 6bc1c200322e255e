package dev.modelyard.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.server.auth.ModelScope;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open event stream: whose it is (tenant, token, what the token may read) and its sink. Writes
 * never wait: at most {@code buffer} events may be on their way to the client; a reader that
 * falls further behind has its stream ended (it reconnects and re-reads).
 */
final class LiveStream {

    final String tenant;
    final UUID tokenId;
    /** The topics the client asked for; what it hears is those its token may read ({@link #topics}). */
    final Set<LiveTopic> requested;
    /** What the token may hear now: recomputed by the hub's check when its role or scope changes. */
    private volatile Set<LiveTopic> topics;
    /** The model-name glob of a scoped token, or null. */
    private volatile String scope;
    private final SseEventSink sink;
    private final Sse sse;
    private final int buffer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Runnable onEnd;

    LiveStream(String tenant, UUID tokenId, Set<LiveTopic> requested, Set<LiveTopic> topics, String scope, SseEventSink sink, Sse sse,
               int buffer, Runnable onEnd) {
        this.tenant = tenant;
        this.tokenId = tokenId;
        this.requested = Set.copyOf(requested);
        this.topics = Set.copyOf(topics);
        this.scope = scope;
        this.sink = sink;
        this.sse = sse;
        this.buffer = buffer;
        this.onEnd = onEnd;
    }

    /** What the token may hear now, after its role or scope changed (the hub ends a stream left with none). */
    void restrict(Set<LiveTopic> topics, String scope) {
        this.scope = scope;
        this.topics = Set.copyOf(topics);
    }

    Set<LiveTopic> topics() {
        return topics;
    }

    /** Whether this stream's token may hear the event (its tenant is checked by the hub). */
    boolean accepts(LiveTopic topic, JsonNode event) {
        if (!topics.contains(topic)) return false;
        String scope = this.scope;
        if (scope == null) return true;
        JsonNode model = event.get("model");
        if (model == null) return event.path("many").asBoolean(false);
        return ModelScope.matches(scope, model.asText());
    }

    void send(String data) {
        write(sse.newEventBuilder().data(String.class, data).build());
    }

    void comment(String text) {
        write(sse.newEventBuilder().comment(text).build());
    }

    private void write(OutboundSseEvent event) {
        if (ended.get()) return;
        if (sink.isClosed()) {
            end();
            return;
        }
        if (inFlight.incrementAndGet() > buffer) {
            end(); // a slow reader: never buffer without bound, never wait for it
            return;
        }
        try {
            sink.send(event).whenComplete((ok, failure) -> {
                inFlight.decrementAndGet();
                if (failure != null) end();
            });
        } catch (RuntimeException e) {
            end();
        }
    }

    boolean isOpen() {
        if (!ended.get() && sink.isClosed()) end();
        return !ended.get();
    }

    void end() {
        if (!ended.compareAndSet(false, true)) return;
        try {
            sink.close();
        } catch (RuntimeException e) {
            // already gone
        }
        onEnd.run();
    }
}
