package io.vmc.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.PeerCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Optional;

/** Chooses Netty channel classes and addresses for a {@link ChannelUri}: epoll when available, else NIO. */
public final class Transports {
    private Transports() {}

    private static boolean local(ChannelUri uri) {
        return switch (uri.kind()) {
            case MEM, MEM_LISTEN, STREAM_PORT -> true;
            default -> false;
        };
    }

    private static boolean epoll() {
        return Epoll.isAvailable();
    }

    public static EventLoopGroup newGroup(ChannelUri uri, int threads, String name) {
        IoHandlerFactory f = local(uri) ? LocalIoHandler.newFactory()
                : epoll() ? EpollIoHandler.newFactory(0, BusyPoll.FACTORY) : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), f);
    }

    public static Class<? extends Channel> clientChannel(ChannelUri uri) {
        return switch (uri.kind()) {
            case MEM, MEM_LISTEN, STREAM_PORT -> LocalChannel.class;
            case UNIX, UNIX_LISTEN -> epoll() ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
            case TCP, TCP_LISTEN -> epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
        };
    }

    public static Class<? extends ServerChannel> serverChannel(ChannelUri uri) {
        return switch (uri.kind()) {
            case MEM, MEM_LISTEN, STREAM_PORT -> LocalServerChannel.class;
            case UNIX, UNIX_LISTEN -> epoll() ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
            case TCP, TCP_LISTEN -> epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        };
    }

    public static SocketAddress address(ChannelUri uri) {
        return switch (uri.kind()) {
            case MEM, MEM_LISTEN -> new LocalAddress(uri.path());
            case UNIX, UNIX_LISTEN -> epoll() ? new DomainSocketAddress(uri.path()) : UnixDomainSocketAddress.of(uri.path());
            case TCP, TCP_LISTEN -> new InetSocketAddress(uri.host(), uri.port());
            case STREAM_PORT -> throw new IllegalArgumentException(uri + " is bridged, it has no socket address");
        };
    }

    /** SO_PEERCRED of a unix socket (epoll only). */
    public static Optional<PeerCredentials> peerCredentials(Channel ch) {
        if (ch instanceof EpollDomainSocketChannel d) {
            try {
                io.netty.channel.unix.PeerCredentials c = d.peerCredentials();
                int[] gids = c.gids();
                return Optional.of(new PeerCredentials(c.pid(), c.uid(), gids.length > 0 ? gids[0] : -1));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
