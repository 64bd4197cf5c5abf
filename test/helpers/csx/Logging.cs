// The part of Microsoft.Extensions.Logging custom code can reach through Context.Logger: ILogger and the
// Log{Level} extension methods with message templates ("Read {Count} rows").
using System;
using System.Text;

namespace Microsoft.Extensions.Logging
{
    public enum LogLevel { Trace = 0, Debug = 1, Information = 2, Warning = 3, Error = 4, Critical = 5, None = 6 }

    public struct EventId
    {
        public EventId(int id, string name = null) { Id = id; Name = name; }
        public int Id { get; private set; }
        public string Name { get; private set; }
        public static implicit operator EventId(int id) { return new EventId(id); }
    }

    public interface ILogger
    {
        void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception exception, Func<TState, Exception, string> formatter);
        bool IsEnabled(LogLevel logLevel);
        IDisposable BeginScope<TState>(TState state);
    }

    public static class LoggerExtensions
    {
        public static void LogTrace(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Trace, null, message, args); }
        public static void LogDebug(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Debug, null, message, args); }
        public static void LogInformation(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Information, null, message, args); }
        public static void LogWarning(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Warning, null, message, args); }
        public static void LogError(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Error, null, message, args); }
        public static void LogError(this ILogger logger, Exception exception, string message, params object[] args) { Write(logger, LogLevel.Error, exception, message, args); }
        public static void LogCritical(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Critical, null, message, args); }
        public static void LogCritical(this ILogger logger, Exception exception, string message, params object[] args) { Write(logger, LogLevel.Critical, exception, message, args); }
        public static void Log(this ILogger logger, LogLevel level, string message, params object[] args) { Write(logger, level, null, message, args); }

        private static void Write(ILogger logger, LogLevel level, Exception exception, string message, object[] args)
        {
            var text = Format(message ?? string.Empty, args ?? new object[0]);
            logger.Log(level, new EventId(0), text, exception, (state, error) => error == null ? state : state + " " + error.Message);
        }

        /// Fills the named holes of a message template in order, as the real formatter does.
        private static string Format(string template, object[] args)
        {
            var output = new StringBuilder();
            var next = 0;
            for (var i = 0; i < template.Length; i++)
            {
                var c = template[i];
                if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { output.Append('{'); i++; continue; }
                if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { output.Append('}'); i++; continue; }
                var close = c == '{' ? template.IndexOf('}', i) : -1;
                if (close > i)
                {
                    output.Append(next < args.Length ? Convert.ToString(args[next], System.Globalization.CultureInfo.InvariantCulture) : template.Substring(i, close - i + 1));
                    next++;
                    i = close;
                    continue;
                }
                output.Append(c);
            }
            return output.ToString();
        }
    }
}
