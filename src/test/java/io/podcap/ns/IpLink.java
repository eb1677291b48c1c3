package io.podcap.ns;

import io.podcap.testing.TestNetns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code ip -o link}, the reference the listings are checked against. iflink is what follows '@': an
 * ifindex ("@if7", peer in another namespace) or a name ("@veth1", same namespace); null when absent.
 */
record IpLink(int ifindex, String name, String iflink, String mac) {
    private static final Pattern LINE =
            Pattern.compile("^(\\d+): ([^:@ ]+)(?:@([^: ]+))?: <[^>]*>.*?link/\\S+(?: ([0-9a-f]{2}(?::[0-9a-f]{2})+))?");

    static IpLink parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("not an `ip -o link` line: " + line);
        }
        return new IpLink(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4) != null ? m.group(4) : "");
    }

    /** {@code ip -o [-n NETNS] link show [DEV]}; netns null for the host. */
    static List<IpLink> show(String netns, String... dev) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-o"));
        if (netns != null) {
            command.addAll(List.of("-n", netns));
        }
        command.addAll(List.of("link", "show"));
        command.addAll(List.of(dev));
        return TestNetns.run(command.toArray(String[]::new)).ok().stdout().lines().map(IpLink::parse).toList();
    }

    /** The peer's ifindex from "@ifN". */
    int peerIfindex() {
        if (iflink == null || !iflink.startsWith("if")) {
            throw new IllegalStateException(name + " has no peer in another namespace: " + iflink);
        }
        return Integer.parseInt(iflink.substring(2));
    }
}
