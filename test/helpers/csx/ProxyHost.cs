// Stands in for the Power Automate gateway around a connector's custom code: an HTTP listener on 127.0.0.1 that
// receives the connector's requests (already routed by dynamichosturl: the path and query are kept, the host becomes
// the environment), runs Script.ExecuteAsync for the operations of scriptOperations and sends every other request
// straight to the environment. SendAsync goes over HTTPS to the environment and accepts exactly one server
// certificate: the one the caller verified against the environment's CA. (Mono's X509Chain cannot read the
// emulator's EC keys, so the chain is checked once by the caller, and pinned here by its SHA-1 thumbprint.)
//
// Arguments: --target <https origin> --pin <SHA-1 thumbprint, hex> --operations <Id,Id> --time-limit-ms <ms>
// The caller names the operation in the X-Connector-Operation-Id header (the gateway knows it from the swagger);
// the header is removed before the script sees the request.
// stdout: one JSON object per line: {"ready":…,"url":…} once, then {"execution":…} per script run and {"log":…}
// per Logger call. Nothing of a request's headers or body is written (they carry the bearer token).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

public static class ProxyHost
{
    public const string OperationHeader = "X-Connector-Operation-Id";

    private static readonly HashSet<string> HopByHop = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Expect", "Content-Length", OperationHeader,
    };

    private static readonly object OutputLock = new object();
    private static HttpClient client;
    private static Uri target;
    private static HashSet<string> scriptOperations;
    private static int timeLimitMs;

    public static int Main(string[] args)
    {
        try
        {
            var options = ParseArguments(args);
            target = new Uri(options["--target"]);
            var pinned = options["--pin"].Replace(":", string.Empty).ToUpperInvariant();
            scriptOperations = new HashSet<string>(options["--operations"].Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries));
            timeLimitMs = int.Parse(options["--time-limit-ms"]);
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => IsPinned(certificate, errors, pinned),
            };
            client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            // A warm gateway: the first script run should not pay for the HTTP stack's JIT and the TLS handshake.
            using (var warm = client.GetAsync(target).Result) { JObject.Parse("{\"warm\":[1]}").ToString(); }
            var listener = Listen();
            var url = listener.Prefixes.First().TrimEnd('/');
            Emit(new JObject { ["ready"] = true, ["url"] = url, ["pid"] = Process.GetCurrentProcess().Id });
            while (true)
            {
                var context = listener.GetContext();
                Task.Run(() => Handle(context, url));
            }
        }
        catch (Exception error)
        {
            Console.Error.WriteLine("proxy host failed: " + error.Message);
            return 1;
        }
    }

    private static Dictionary<string, string> ParseArguments(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
        foreach (var name in new[] { "--target", "--pin", "--operations", "--time-limit-ms" })
        {
            if (!options.ContainsKey(name)) throw new ArgumentException("missing argument " + name);
        }
        return options;
    }

    /// A free loopback port: ask the system for one, then listen on it (retried if another process takes it first).
    private static HttpListener Listen()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    /// Accepts the pinned server certificate only, and only for the host it was issued to.
    private static bool IsPinned(X509Certificate2 certificate, SslPolicyErrors errors, string pinned)
    {
        if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        return string.Equals(certificate.Thumbprint, pinned, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task Handle(HttpListenerContext context, string proxyUrl)
    {
        var operationId = context.Request.Headers[OperationHeader] ?? string.Empty;
        HttpResponseMessage response;
        try
        {
            var request = await ToServiceRequest(context.Request).ConfigureAwait(false);
            if (scriptOperations.Contains(operationId))
            {
                var original = new Uri(proxyUrl + context.Request.RawUrl);
                response = await RunScript(operationId, request, original).ConfigureAwait(false);
            }
            else
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            response = Failure(HttpStatusCode.BadGateway, "ProxyError", error.GetBaseException().Message);
        }
        await Write(context.Response, response).ConfigureAwait(false);
    }

    private static async Task<HttpRequestMessage> ToServiceRequest(HttpListenerRequest incoming)
    {
        var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(target, incoming.RawUrl));
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await incoming.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        if (body.Length > 0 || incoming.HasEntityBody) request.Content = new ByteArrayContent(body);
        foreach (string name in incoming.Headers.AllKeys)
        {
            if (HopByHop.Contains(name)) continue;
            var values = incoming.Headers.GetValues(name) ?? new string[0];
            if (!request.Headers.TryAddWithoutValidation(name, values) && request.Content != null)
            {
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return request;
    }

    private static async Task<HttpResponseMessage> RunScript(string operationId, HttpRequestMessage request, Uri original)
    {
        var correlationId = Guid.NewGuid().ToString();
        var limit = new CancellationTokenSource(timeLimitMs);
        var script = new Script
        {
            Context = new ScriptContext(correlationId, operationId, request, original, client),
            CancellationToken = limit.Token,
        };
        var watch = Stopwatch.StartNew();
        HttpResponseMessage response;
        string outcome;
        try
        {
            var run = script.ExecuteAsync();
            // Power Automate stops custom code that runs longer than its limit; so does this host.
            if (await Task.WhenAny(run, Task.Delay(timeLimitMs)).ConfigureAwait(false) != run)
            {
                limit.Cancel();
                outcome = "timeout";
                response = Failure(HttpStatusCode.GatewayTimeout, "ScriptTimeout", "The custom code did not finish within " + timeLimitMs + " ms.");
            }
            else
            {
                response = await run.ConfigureAwait(false);
                outcome = response == null ? "no-response" : "ok";
                if (response == null) response = Failure(HttpStatusCode.InternalServerError, "ScriptError", "The custom code returned no response.");
            }
        }
        catch (Exception error) when (limit.IsCancellationRequested)
        {
            // The part honoured the cancellation token: still a run past the limit.
            outcome = "timeout";
            response = Failure(HttpStatusCode.GatewayTimeout, "ScriptTimeout", "The custom code did not finish within " + timeLimitMs + " ms (" + error.GetBaseException().GetType().Name + ").");
        }
        catch (Exception error)
        {
            outcome = "exception";
            response = Failure(HttpStatusCode.InternalServerError, "ScriptError", error.GetBaseException().GetType().Name + ": " + error.GetBaseException().Message);
        }
        watch.Stop();
        Emit(new JObject
        {
            ["execution"] = operationId,
            ["correlationId"] = correlationId,
            ["outcome"] = outcome,
            ["status"] = (int)response.StatusCode,
            ["milliseconds"] = watch.Elapsed.TotalMilliseconds,
        });
        return response;
    }

    private static HttpResponseMessage Failure(HttpStatusCode status, string code, string message)
    {
        var body = new JObject { ["error"] = new JObject { ["code"] = code, ["message"] = message } };
        return new HttpResponseMessage(status) { Content = ScriptBase.CreateJsonContent(body.ToString()) };
    }

    private static async Task Write(HttpListenerResponse outgoing, HttpResponseMessage response)
    {
        try
        {
            outgoing.StatusCode = (int)response.StatusCode;
            var body = response.Content == null ? new byte[0] : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var headers = response.Headers.AsEnumerable();
            if (response.Content != null) headers = headers.Concat(response.Content.Headers);
            foreach (var header in headers)
            {
                if (HopByHop.Contains(header.Key)) continue;
                foreach (var value in header.Value) outgoing.Headers.Add(header.Key, value);
            }
            // Always a length, never chunked: Mono answers a chunked request in chunks, and a chunked 204 carries a
            // terminating chunk that clients read as data after the response.
            outgoing.SendChunked = false;
            outgoing.ContentLength64 = body.Length;
            if (body.Length > 0) await outgoing.OutputStream.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
        }
        finally
        {
            outgoing.Close();
        }
    }

    internal static void Emit(JObject line)
    {
        lock (OutputLock)
        {
            Console.Out.WriteLine(line.ToString(Newtonsoft.Json.Formatting.None));
            Console.Out.Flush();
        }
    }

    private sealed class ScriptContext : IScriptContext
    {
        private readonly HttpClient http;

        public ScriptContext(string correlationId, string operationId, HttpRequestMessage request, Uri original, HttpClient http)
        {
            CorrelationId = correlationId;
            OperationId = operationId;
            Request = request;
            OriginalRequestUri = original;
            Logger = new LineLogger(correlationId);
            this.http = http;
        }

        public string CorrelationId { get; private set; }
        public string OperationId { get; private set; }
        public HttpRequestMessage Request { get; private set; }
        public ILogger Logger { get; private set; }
        public Uri OriginalRequestUri { get; private set; }

        public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
    }

    private sealed class LineLogger : ILogger
    {
        private readonly string correlationId;

        public LineLogger(string correlationId) { this.correlationId = correlationId; }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception exception, Func<TState, Exception, string> formatter)
        {
            Emit(new JObject { ["log"] = logLevel.ToString(), ["correlationId"] = correlationId, ["message"] = formatter(state, exception) });
        }

        public bool IsEnabled(LogLevel logLevel) { return logLevel != LogLevel.None; }

        public IDisposable BeginScope<TState>(TState state) { return new Scope(); }

        private sealed class Scope : IDisposable { public void Dispose() { } }
    }
}
