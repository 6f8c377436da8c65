# The qstream services as one image, built from the jars `./mvnw -DskipTests package` leaves in launcher/target.
# docker-compose.yml runs every service from it; each service is a `qstream <command>` configured by QSTREAM_* env.
FROM eclipse-temurin:17-jre
WORKDIR /opt/qstream
COPY launcher/target/lib/ lib/
COPY launcher/target/qstream.jar qstream.jar
ENV OMP_NUM_THREADS=1
ENTRYPOINT ["java", "-cp", "qstream.jar:lib/*", "dev.qstream.launcher.cli.QstreamCli"]
CMD ["--help"]
