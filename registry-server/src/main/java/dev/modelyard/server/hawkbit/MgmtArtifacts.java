package dev.modelyard.server.hawkbit;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.artifact.ArtifactService;
import dev.modelyard.server.artifact.TargetParams;
import dev.modelyard.server.artifact.TransferMetrics;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A software module's artifacts: the files of its model version, numbered by
 * {@code artifact.number}. Uploads take hawkBit's optional md5sum/sha1sum/sha256sum and check
 * them all before anything is stored; the md5 and sha1 computed on the way are recorded, so
 * neither hawkBit's answer nor a device's deployment waits for another pass over the file.
 */
@ApplicationScoped
public class MgmtArtifacts {

    /** A file whose format neither the request nor its extension names is an opaque payload. */
    static final String OPAQUE_FORMAT = "bin";

    private final MgmtModules modules;
    private final ArtifactService artifacts;
    private final EntityManager em;

    public MgmtArtifacts(MgmtModules modules, ArtifactService artifacts, EntityManager em) {
        this.modules = modules;
        this.artifacts = artifacts;
        this.em = em;
    }

    /** What a client said about the upload; digests are optional, hex. */
    record Upload(Path file, long size, String filename, String mediaType, String format, String md5sum, String sha1sum,
                  String sha256sum, String by) {
    }

    private record Digests(String md5, String sha1, String sha256) {
    }

    public MgmtApi.Artifact upload(long moduleId, Upload u) {
        ModelVersion v = QuarkusTransaction.requiringNew().call(() -> modules.draftModule(moduleId));
        String model = QuarkusTransaction.requiringNew().call(() -> ModelVersion.<ModelVersion>findById(v.id).model.name);
        String filename = ArtifactService.requireFilename(u.filename());
        Digests d = digests(u.file());
        check("md5sum", u.md5sum(), d.md5());
        check("sha1sum", u.sha1sum(), d.sha1());
        check("sha256sum", u.sha256sum(), d.sha256());
        ArtifactService.Upload request = new ArtifactService.Upload(model, v.version, filename, descriptor(filename, u.format()),
                u.mediaType(), Optional.of(d.sha256()), null, u.by());
        ArtifactService.Stored stored;
        try (InputStream in = Files.newInputStream(u.file())) {
            stored = artifacts.upload(request, u.size(), in, TransferMetrics.UploadMethod.MULTIPART);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UUID id = stored.artifact().id();
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("INSERT INTO blob_digest (sha256, sha1, md5) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                    .setParameter(1, d.sha256()).setParameter(2, d.sha1()).setParameter(3, d.md5()).executeUpdate();
            return view(Artifact.findById(id));
        });
    }

    @Transactional
    public List<MgmtApi.Artifact> list(long moduleId) {
        ModelVersion v = modules.version(moduleId, "software module");
        return Artifact.<Artifact>list("version = ?1 order by filename", v).stream().map(this::view).toList();
    }

    @Transactional
    public MgmtApi.Artifact get(long moduleId, long artifactId) {
        return view(find(moduleId, artifactId));
    }

    /** Deletes a draft's file; a released version's files never change (409). */
    @Transactional
    public void delete(long moduleId, long artifactId) {
        Artifact a = find(moduleId, artifactId);
        modules.draftModule(moduleId);
        artifacts.delete(a.version.model.name, a.version.version, a.id.toString());
    }

    @Transactional
    public Artifact find(long moduleId, long artifactId) {
        ModelVersion v = modules.version(moduleId, "software module");
        @SuppressWarnings("unchecked")
        List<UUID> ids = em.createNativeQuery("SELECT id FROM artifact WHERE number = ?1 AND version_id = ?2", UUID.class)
                .setParameter(1, artifactId).setParameter(2, v.id).getResultList();
        if (ids.isEmpty()) throw DomainException.of(ErrorCode.NOT_FOUND, "artifact with id " + artifactId + " does not exist in software module " + moduleId);
        return Artifact.findById(ids.get(0));
    }

    private MgmtApi.Artifact view(Artifact a) {
        long number = ((Number) em.createNativeQuery("SELECT number FROM artifact WHERE id = ?1").setParameter(1, a.id)
                .getSingleResult()).longValue();
        @SuppressWarnings("unchecked")
        List<Object[]> hashes = em.createNativeQuery("SELECT sha1, md5 FROM blob_digest WHERE sha256 = ?1")
                .setParameter(1, a.sha256).getResultList();
        String sha1 = hashes.isEmpty() ? null : ((String) hashes.get(0)[0]).strip();
        String md5 = hashes.isEmpty() ? null : ((String) hashes.get(0)[1]).strip();
        String self = MgmtApi.BASE + "/softwaremodules/" + a.version.id + "/artifacts/" + number;
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("download", MgmtApi.Link.to(self + "/download"));
        return new MgmtApi.Artifact(a.createdBy, MgmtApi.millis(a.createdAt), a.createdBy, MgmtApi.millis(a.createdAt),
                number, new MgmtApi.Hashes(sha1, md5, a.sha256), a.filename, a.size, links);
    }

    /** The format asked for, else the one the extension names, else an opaque payload. */
    static TargetDescriptor descriptor(String filename, String format) {
        TargetParams params = new TargetParams();
        params.format = format;
        try {
            return params.toDescriptor(filename);
        } catch (DomainException e) {
            if (format != null && !format.isBlank()) throw e;
            params.format = OPAQUE_FORMAT;
            return params.toDescriptor(filename);
        }
    }

    private static void check(String field, String expected, String actual) {
        if (expected != null && !expected.isBlank() && !expected.strip().toLowerCase(Locale.ROOT).equals(actual)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": the file's digest is " + actual + ", not " + expected.strip()
                    + "; nothing was stored");
        }
    }

    private static Digests digests(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md5.update(buffer, 0, n);
                sha1.update(buffer, 0, n);
                sha256.update(buffer, 0, n);
            }
            HexFormat hex = HexFormat.of();
            return new Digests(hex.formatHex(md5.digest()), hex.formatHex(sha1.digest()), hex.formatHex(sha256.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5, SHA-1 and SHA-256", e);
        }
    }
}
