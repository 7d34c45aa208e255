# The Rasa server on Rasa's official image, with Loket's channels, components and the masked
# tracker store. The model is trained at build time (`rasa train`, about two minutes).
FROM rasa/rasa:3.6.21-full
USER root
WORKDIR /app
COPY packages packages
RUN pip install --no-cache-dir ./packages/masking rapidfuzz "python-telegram-bot>=22,<23" \
    "skops==0.9.0"
COPY bot bot
COPY actions actions
COPY data data
RUN rasa train --config bot/config.yml --domain bot/domain.yml --data data \
    --out models --fixed-model-name loket
ENV RASA_TELEMETRY_ENABLED=false
USER 1001
ENTRYPOINT []
