package io.vmc.it.softphone;

import gov.nist.javax.sip.SipStackImpl;
import java.text.ParseException;
import java.util.List;
import java.util.Properties;
import java.util.TooManyListenersException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.PeerUnavailableException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The SIP half of the sample softphone, on the JAIN-SIP reference implementation: INVITE / 200 /
 * ACK with SDP bodies, re-INVITE, BYE. It knows nothing about media: every SDP comes from and goes
 * to a {@link CallHandler}, which the softphone implements with the VMC agent API.
 */
public final class SipUserAgent implements SipListener, AutoCloseable {

    /** What the user agent asks of the softphone. Called on JAIN-SIP's thread: keep it short. */
    public interface CallHandler {
        /** A new call arrives with the caller's offer; return the answer SDP (or throw to reject). */
        String onIncomingCall(String from, String offerSdp) throws Exception;

        /** The peer re-INVITEs with a new offer (hold, new candidates); return the answer. */
        String onReoffer(String offerSdp) throws Exception;

        /** The peer answered our INVITE or re-INVITE. */
        void onAnswer(String answerSdp) throws Exception;

        void onEstablished();

        void onEnded(String why);
    }

    private final SipStack stack;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final SipURI localUri;
    private final CallHandler handler;
    private final AtomicLong cseq = new AtomicLong(1);
    private volatile Dialog dialog;

    public SipUserAgent(String user, String host, int port, CallHandler handler) throws SipException {
        this.handler = handler;
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties props = new Properties();
        props.setProperty("javax.sip.STACK_NAME", "jainsip.vmc-softphone-" + user + "-" + port); // also its logger name
        props.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        props.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        try {
            stack = factory.createSipStack(props);
            addresses = factory.createAddressFactory();
            headers = factory.createHeaderFactory();
            messages = factory.createMessageFactory();
            ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
            provider = stack.createSipProvider(udp);
            provider.addSipListener(this);
            localUri = addresses.createSipURI(user, host + ":" + port);
        } catch (PeerUnavailableException | InvalidArgumentException | ObjectInUseException
                | TooManyListenersException | ParseException e) {
            throw new SipException("cannot start SIP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Sends an INVITE with our offer to {@code target} (e.g. {@code sip:bob@127.0.0.1:5062}). */
    public void invite(String target, String offerSdp) throws SipException {
        try {
            SipURI to = (SipURI) addresses.createURI(target);
            Address fromAddress = addresses.createAddress(localUri);
            Request invite = messages.createRequest(to, Request.INVITE, provider.getNewCallId(),
                    headers.createCSeqHeader(cseq.getAndIncrement(), Request.INVITE),
                    headers.createFromHeader(fromAddress, Long.toHexString(System.nanoTime())),
                    headers.createToHeader(addresses.createAddress(to), null),
                    List.of(via()), headers.createMaxForwardsHeader(70));
            invite.addHeader(headers.createContactHeader(fromAddress));
            invite.setContent(offerSdp, sdpType());
            ClientTransaction tx = provider.getNewClientTransaction(invite);
            dialog = tx.getDialog();
            tx.sendRequest();
        } catch (ParseException | InvalidArgumentException e) {
            throw new SipException("cannot build INVITE to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Re-INVITE inside the call, e.g. after {@code RenegotiationNeeded}. */
    public void reinvite(String offerSdp) throws SipException {
        Dialog d = requireDialog();
        try {
            Request reinvite = d.createRequest(Request.INVITE);
            reinvite.setContent(offerSdp, sdpType());
            reinvite.addHeader(headers.createContactHeader(addresses.createAddress(localUri)));
            d.sendRequest(provider.getNewClientTransaction(reinvite));
        } catch (ParseException e) {
            throw new SipException("cannot build re-INVITE: " + e.getMessage(), e);
        }
    }

    public void bye() throws SipException {
        Dialog d = dialog;
        if (d != null && d.getState() != null && d.getState().getValue() == javax.sip.DialogState._CONFIRMED) {
            d.sendRequest(provider.getNewClientTransaction(d.createRequest(Request.BYE)));
        }
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        try {
            ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
                    : provider.getNewServerTransaction(request);
            switch (request.getMethod()) {
                case Request.INVITE -> onInvite(request, tx);
                case Request.ACK -> handler.onEstablished();
                case Request.BYE -> {
                    tx.sendResponse(messages.createResponse(Response.OK, request));
                    handler.onEnded("remote hung up");
                }
                default -> tx.sendResponse(messages.createResponse(Response.METHOD_NOT_ALLOWED, request));
            }
        } catch (Exception e) {
            handler.onEnded("SIP request failed: " + e.getMessage());
        }
    }

    private void onInvite(Request request, ServerTransaction tx) throws Exception {
        String offer = new String(request.getRawContent() == null ? new byte[0] : request.getRawContent(),
                java.nio.charset.StandardCharsets.UTF_8);
        boolean reinvite = tx.getDialog() != null && tx.getDialog() == dialog;
        String answer;
        try {
            answer = reinvite ? handler.onReoffer(offer)
                    : handler.onIncomingCall(((javax.sip.header.FromHeader) request.getHeader(javax.sip.header.FromHeader.NAME)).getAddress().toString(), offer);
        } catch (Exception e) {
            Response reject = messages.createResponse(Response.NOT_ACCEPTABLE_HERE, request);
            tx.sendResponse(reject);
            return;
        }
        dialog = tx.getDialog();
        Response ok = messages.createResponse(Response.OK, request);
        ok.addHeader(headers.createContactHeader(addresses.createAddress(localUri)));
        javax.sip.header.ToHeader to = (javax.sip.header.ToHeader) ok.getHeader("To");
        if (to.getTag() == null) {
            to.setTag(Long.toHexString(System.nanoTime())); // a re-INVITE already carries the dialog's tag
        }
        ok.setContent(answer, sdpType());
        tx.sendResponse(ok);
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cs = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        try {
            if (!Request.INVITE.equals(cs.getMethod())) {
                return;
            }
            int status = response.getStatusCode();
            if (status >= 300) {
                handler.onEnded("call rejected: " + status + " " + response.getReasonPhrase());
            } else if (status == Response.OK) {
                Dialog d = event.getDialog() != null ? event.getDialog() : event.getClientTransaction().getDialog();
                dialog = d;
                d.sendAck(d.createAck(cs.getSeqNumber()));
                handler.onAnswer(new String(response.getRawContent(), java.nio.charset.StandardCharsets.UTF_8));
                handler.onEstablished();
            }
        } catch (Exception e) {
            handler.onEnded("SIP response failed: " + e.getMessage());
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        handler.onEnded("SIP transaction timed out (peer unreachable?)");
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        handler.onEnded("SIP I/O error towards " + event.getHost() + ":" + event.getPort());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {}

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {}

    private ViaHeader via() throws ParseException, InvalidArgumentException {
        return headers.createViaHeader(localUri.getHost(), localUri.getPort(), ListeningPoint.UDP, null);
    }

    private ContentTypeHeader sdpType() throws ParseException {
        return headers.createContentTypeHeader("application", "sdp");
    }

    private Dialog requireDialog() throws SipException {
        Dialog d = dialog;
        if (d == null) {
            throw new SipException("no call in progress");
        }
        return d;
    }

    @Override
    public void close() {
        ((SipStackImpl) stack).stop();
    }
}
