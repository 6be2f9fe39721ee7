package io.switchboard.control;

/**
 * What a node says about itself, every {@code cluster.info.interval} (a single node only to itself): shown in the
 * console's Nodes view and summed for cluster totals. Rates are per second (one-minute moving averages); times are
 * milliseconds since the epoch.
 *
 * @param id         the node's id ({@code node.id})
 * @param address    where operators reach it ({@code node.address})
 * @param version    the Switchboard version it runs
 * @param startedAt  when it started
 * @param updatedAt  when this info was taken
 * @param connections chat connections open on it
 * @param users      distinct users connected to it
 * @param rooms      rooms loaded on it (with a member there)
 * @param messagesInPerSecond frames received per second
 * @param deliveriesPerSecond room and DM deliveries per second
 * @param ready      whether it takes new connections ({@code /ready})
 * @param draining   whether it is draining
 * @param problem    why it is not ready, or null
 */
public record NodeInfo(String id, String address, String version, long startedAt, long updatedAt, int connections,
                       int users, int rooms, double messagesInPerSecond, double deliveriesPerSecond, boolean ready,
                       boolean draining, String problem) {}
