package dev.kinesisboot.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The order-events sample service: produces and consumes order events on a Kinesis stream
 * and serves its metrics at {@code /actuator/prometheus}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
