# The action server on Rasa's official SDK image, with Loket's actions.
FROM rasa/rasa-sdk:3.6.2
USER root
WORKDIR /app
COPY packages packages
RUN pip install --no-cache-dir ./packages/masking aiohttp rapidfuzz
COPY actions actions
ENV RASA_TELEMETRY_ENABLED=false
USER 1001
ENTRYPOINT []
CMD ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]
