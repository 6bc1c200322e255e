package dev.modelyard.server.hawkbit;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Target filters. A query is stored only if this server can evaluate it ({@link Rsql}), so a
 * stored filter never means something other than what hawkBit would select; {@code GET
 * /targets?q=<query>} lists the targets it matches.
 */
@ApplicationScoped
public class TargetFilters {

    static final Map<String, String> SORT_FIELDS = Map.of("id", "id", "name", "name", "query", "query",
            "createdAt", "createdAt", "lastModifiedAt", "updatedAt");

    private final Clock clock;

    public TargetFilters(Clock clock) {
        this.clock = clock;
    }

    @Transactional
    public MgmtApi.TargetFilter create(MgmtApi.TargetFilterRequest body, String by) {
        TargetFilter f = new TargetFilter();
        f.name = name(body);
        f.query = query(body);
        if (TargetFilter.count("name", f.name) > 0) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a target filter named '" + f.name + "' exists already");
        }
        f.createdAt = f.updatedAt = clock.instant();
        f.createdBy = f.updatedBy = by;
        f.persist();
        return view(f);
    }

    @Transactional
    public MgmtApi.TargetFilter get(long id) {
        return view(find(id));
    }

    @Transactional
    public MgmtApi.PagedList<MgmtApi.TargetFilter> list(Paging paging, String q) {
        Rsql.Where where = Rsql.parse(q, Map.of("name", "name", "query", "query"));
        String jpql = "from TargetFilter" + Rsql.whereClause(where.jpql());
        Map<String, Object> params = new LinkedHashMap<>(where.params());
        List<TargetFilter> page = TargetFilter.<TargetFilter>find(jpql + " order by " + paging.orderBy(SORT_FIELDS, "id"), params)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list();
        return MgmtApi.PagedList.of(page.stream().map(this::view).toList(), TargetFilter.count(jpql, params));
    }

    /** Changes the name and/or the query; fields left out are kept. */
    @Transactional
    public MgmtApi.TargetFilter update(long id, MgmtApi.TargetFilterRequest body, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        TargetFilter f = find(id);
        if (body.name() != null) {
            String name = name(body);
            if (!name.equals(f.name) && TargetFilter.count("name", name) > 0) {
                throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a target filter named '" + name + "' exists already");
            }
            f.name = name;
        }
        if (body.query() != null) f.query = query(body);
        f.updatedAt = clock.instant();
        f.updatedBy = by;
        return view(f);
    }

    @Transactional
    public void delete(long id) {
        find(id).delete();
    }

    private static TargetFilter find(long id) {
        return TargetFilter.<TargetFilter>find("id", id).firstResultOptional()
                .orElseThrow(() -> DomainException.of(ErrorCode.NOT_FOUND, "target filter with id " + id + " does not exist"));
    }

    private static String name(MgmtApi.TargetFilterRequest body) {
        if (body == null || body.name() == null || body.name().isBlank() || body.name().length() > 128) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, "name: is required, at most 128 characters");
        }
        return body.name().strip();
    }

    /** Refuses (400) a query this server cannot evaluate, in the words of {@link Rsql}. */
    private static String query(MgmtApi.TargetFilterRequest body) {
        if (body == null || body.query() == null || body.query().isBlank() || body.query().length() > 1024) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, "query: is required, at most 1024 characters");
        }
        String query = body.query().strip();
        Rsql.parse(query, Rsql.TARGET_FIELDS);
        return query;
    }

    private MgmtApi.TargetFilter view(TargetFilter f) {
        return new MgmtApi.TargetFilter(f.createdBy, MgmtApi.millis(f.createdAt), f.updatedBy, MgmtApi.millis(f.updatedAt),
                f.id, f.name, f.query, Map.of("self", MgmtApi.Link.to(MgmtApi.BASE + "/targetfilters/" + f.id)));
    }
}
