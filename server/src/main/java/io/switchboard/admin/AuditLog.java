package io.switchboard.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Every admin action, persisted: who (admin token name), what, target, reason, when and from where. */
public final class AuditLog {
    /** One audit row; {@code at} in epoch milliseconds. */
    public record Entry(long id, long at, String admin, String action, String target, String reason, String address, String detail) {}

    private final DataSource dataSource;
    private final java.util.function.Consumer<Entry> onRecord;

    /** {@code onRecord} hears of every row written (live views); it must not block. */
    public AuditLog(DataSource dataSource, java.util.function.Consumer<Entry> onRecord) {
        this.dataSource = dataSource;
        this.onRecord = onRecord;
    }

    /** Appends a row; blocking, call off the I/O threads. */
    public void record(String admin, String action, String target, String reason, String address, String detail) throws SQLException {
        long at = System.currentTimeMillis();
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement(
                     "INSERT INTO audit_log (at, admin, action, target, reason, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, at);
            ps.setString(2, admin);
            ps.setString(3, action);
            ps.setString(4, clip(target, 256));
            ps.setString(5, clip(reason, 1000));
            ps.setString(6, clip(address, 64));
            ps.setString(7, clip(detail, 4000));
            ps.executeUpdate();
        }
        onRecord.accept(new Entry(0, at, admin, action, clip(target, 256), clip(reason, 1000), clip(address, 64), clip(detail, 4000)));
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
