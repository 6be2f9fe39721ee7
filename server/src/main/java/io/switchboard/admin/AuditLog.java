package io.switchboard.admin;

import io.switchboard.net.Addresses;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Every admin action, persisted: who (admin token name), what, target, reason, when and from where. */
public final class AuditLog {
    /** One audit row; {@code at} in epoch milliseconds, {@code address} normalized (see {@link Addresses}). */
    public record Entry(long id, long at, String admin, String action, String target, String reason, String address, String detail) {}

    private final DataSource dataSource;
    private final java.util.function.Consumer<Entry> onRecord;

    /** {@code onRecord} hears of every row written (live views); it must not block. */
    public AuditLog(DataSource dataSource, java.util.function.Consumer<Entry> onRecord) {
        this.dataSource = dataSource;
        this.onRecord = onRecord;
    }

    /**
     * Appends a row and hands it, with its id, to the listener; blocking, call off the I/O threads. The address is
     * stored in the one form {@link Addresses#normalize(String)} gives, whichever way the caller got it.
     */
    public Entry record(String admin, String action, String target, String reason, String address, String detail) throws SQLException {
        long at = System.currentTimeMillis();
        String where = clip(Addresses.normalize(address), 64);
        long id = 0;
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement(
                     "INSERT INTO audit_log (at, admin, action, target, reason, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     new String[] {"id"})) {
            ps.setLong(1, at);
            ps.setString(2, admin);
            ps.setString(3, action);
            ps.setString(4, clip(target, 256));
            ps.setString(5, clip(reason, 1000));
            ps.setString(6, where);
            ps.setString(7, clip(detail, 4000));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (keys.next()) id = keys.getLong(1);
            }
        }
        Entry entry = new Entry(id, at, admin, action, clip(target, 256), clip(reason, 1000), where, clip(detail, 4000));
        onRecord.accept(entry);
        return entry;
    }

    /** Newest first; {@code beforeId} null starts at the newest. */
    public List<Entry> page(Long beforeId, int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("SELECT id, at, admin, action, target, reason, address, detail"
                     + " FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")) {
            ps.setLong(1, beforeId == null ? Long.MAX_VALUE : beforeId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
        }
        return out;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
