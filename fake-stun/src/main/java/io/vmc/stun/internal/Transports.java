package io.vmc.stun.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** Native epoll where it loads, NIO otherwise (netty's probe keeps a missing library harmless). */
public record Transports(String name, IoHandlerFactory ioHandlerFactory,
                         Class<? extends DatagramChannel> datagramChannel,
                         Class<? extends ServerChannel> serverChannel) {

    public static Transports select(boolean preferNative) {
        if (preferNative && Epoll.isAvailable()) {
            return new Transports("epoll", EpollIoHandler.newFactory(), EpollDatagramChannel.class,
                    EpollServerSocketChannel.class);
        }
        return new Transports("nio", NioIoHandler.newFactory(), NioDatagramChannel.class, NioServerSocketChannel.class);
    }

    public boolean isEpoll() {
        return name.equals("epoll");
    }

    /** Why epoll is not used, or null if it is available. */
    public static Throwable epollUnavailabilityCause() {
        return Epoll.unavailabilityCause();
    }
}
