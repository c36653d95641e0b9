import GitfolioCore

extension Resume {
    /// A complete two-page resume of a made-up developer, for template previews, benchmarks and tests.
    public static func sample(_ language: Language = .ko, template: Template = .gitfolio) -> Resume {
        let ko = language == .ko
        let profile = Profile(
            name: ko ? "김하늘" : "Haneul Kim",
            email: "haneul.kim@example.com",
            phone: "010-1234-5678",
            jobRole: .backend,
            education: [Education(schoolType: .bachelor, schoolName: ko ? "한빛대학교" : "Hanbit University",
                                  major: ko ? "컴퓨터공학" : "Computer Science", status: .graduated, start: "2016.03", end: "2022.02")],
            workExperience: [WorkExperience(company: ko ? "주식회사 누리페이" : "Nuri Pay Inc.", title: ko ? "백엔드 개발자" : "Backend developer",
                                            workType: .fullTime, employment: .employed, start: "2022.03",
                                            description: ko ? "결제 승인 API와 정산 배치를 개발하고 운영했습니다."
                                                : "Built and ran the payment authorisation API and the settlement batch.")],
            certificates: [Certificate(name: ko ? "정보처리기사" : "Engineer Information Processing",
                                       issuer: ko ? "한국산업인력공단" : "HRDK", acquired: "2021.06")],
            links: [ProfileLink(title: "GitHub", url: "https://github.com/haneul-kim"),
                    ProfileLink(title: ko ? "블로그" : "Blog", url: "https://haneul.dev")])

        func l(_ ko_: String, _ en: String, _ evidence: [String]) -> Line { Line(ko ? ko_ : en, evidence: evidence) }

        let shop = ResumeProject(
            name: "market-api", start: "2023.02", end: "2024.05", skills: ["Java", "Spring Boot", "MySQL", "Redis", "Docker"],
            repository: "haneul-kim/market-api",
            summary: l("중고거래 서비스의 주문·결제 백엔드입니다.", "The order and payment backend of a second-hand marketplace.", ["market-api:readme"]),
            bullets: [
                l("전체 커밋 412개 중 287개(70%)를 작성하며 주문·결제 도메인 개발을 주도했습니다.",
                  "Wrote 287 of 412 commits (70%), leading the order and payment domain.", ["market-api:commits"]),
                l("Spring Boot와 MySQL로 주문 생성, 결제 승인, 환불 API를 설계하고 구현했습니다.",
                  "Designed and built the order, payment approval and refund APIs with Spring Boot and MySQL.", ["market-api:file:build.gradle"]),
                l("Redis 분산 락으로 재고 차감의 동시성 문제를 해결했습니다.",
                  "Solved concurrent stock deduction with a Redis distributed lock.", ["market-api:file:build.gradle", "market-api:pr:58"]),
                l("GitHub Actions로 테스트와 Docker 이미지 배포를 자동화했습니다.",
                  "Automated tests and Docker image releases with GitHub Actions.", ["market-api:file:.github/workflows/ci.yml"]),
                l("병합된 풀 리퀘스트 64개로 리뷰 중심의 협업을 이끌었습니다.",
                  "Led review-based collaboration with 64 merged pull requests.", ["market-api:prs"]),
            ],
            star: STAR(
                situation: l("주문이 몰리는 시간에 재고가 음수가 되는 사례가 발생했습니다.", "At peak hours stock counts went negative.", ["market-api:pr:58"]),
                task: l("재고 차감을 정확하게 만들면서 응답 시간을 유지해야 했습니다.", "Stock deduction had to be exact without slowing responses.", ["market-api:pr:58"]),
                action: l("Redis 분산 락과 재시도 정책을 도입하고 부하 테스트를 작성했습니다.", "Introduced a Redis lock with a retry policy and wrote load tests.", ["market-api:pr:58"]),
                result: l("재고 불일치가 사라졌고 p99 응답 시간은 180ms 이내로 유지되었습니다.", "Mismatches stopped and p99 latency stayed under 180 ms.", ["market-api:pr:58"])),
            troubleshooting: [Troubleshooting(
                problem: l("동시 주문 시 재고가 음수가 되는 문제가 발생했습니다.", "Concurrent orders drove stock below zero.", ["market-api:pr:58"]),
                hypothesis: l("조회와 차감 사이의 경쟁 조건이 원인이라고 보았습니다.", "A race between reading and deducting stock was the cause.", ["market-api:pr:58"]),
                attempt: l("비관적 락과 Redis 분산 락을 비교하는 부하 테스트를 작성했습니다.", "Load-tested a pessimistic lock against a Redis distributed lock.", ["market-api:pr:58"]),
                result: l("Redis 락을 적용해 불일치 0건, 처리량 2.3배를 확인했습니다.", "With the Redis lock: zero mismatches and 2.3x the throughput.", ["market-api:pr:58"]))])

        let batch = ResumeProject(
            name: "settle-batch", start: "2022.06", end: "2023.01", skills: ["Kotlin", "Spring Batch", "PostgreSQL", "Kubernetes"],
            repository: "haneul-kim/settle-batch",
            summary: l("가맹점 정산 금액을 매일 계산하는 배치 애플리케이션입니다.", "A batch application computing merchant settlements every day.", ["settle-batch:readme"]),
            bullets: [
                l("Spring Batch로 일 120만 건의 결제를 정산하는 잡을 구현했습니다.", "Built Spring Batch jobs settling 1.2 million payments a day.", ["settle-batch:file:build.gradle.kts"]),
                l("청크 크기와 인덱스를 조정해 배치 시간을 52분에서 14분으로 줄였습니다.", "Cut the batch from 52 to 14 minutes by tuning chunks and indexes.", ["settle-batch:pr:21"]),
                l("Kubernetes CronJob으로 배포하고 실패 알림을 구성했습니다.", "Deployed as a Kubernetes CronJob with failure alerts.", ["settle-batch:file:k8s/cronjob.yaml"]),
            ],
            star: STAR(
                situation: l("정산 배치가 영업 시작 전에 끝나지 않는 날이 생겼습니다.", "Some days the settlement batch ran past opening time.", ["settle-batch:pr:21"]),
                task: l("배치 시간을 20분 이내로 줄여야 했습니다.", "The batch had to finish within 20 minutes.", ["settle-batch:pr:21"]),
                action: l("실행 계획을 분석해 복합 인덱스를 추가하고 청크 크기를 조정했습니다.", "Analysed query plans, added a composite index and tuned chunk sizes.", ["settle-batch:pr:21"]),
                result: l("배치 시간이 52분에서 14분으로 줄었습니다.", "The batch went from 52 to 14 minutes.", ["settle-batch:pr:21"])),
            troubleshooting: [Troubleshooting(
                problem: l("정산 배치가 52분 걸려 영업 시작을 넘겼습니다.", "The settlement batch took 52 minutes, past opening time.", ["settle-batch:pr:21"]),
                hypothesis: l("정산 조회 쿼리의 전체 테이블 스캔이 병목이라고 가정했습니다.", "A full table scan in the settlement query was the bottleneck.", ["settle-batch:pr:21"]),
                attempt: l("EXPLAIN으로 실행 계획을 확인하고 복합 인덱스와 청크 크기를 바꿔 측정했습니다.", "Read the plan with EXPLAIN, then measured a composite index and chunk sizes.", ["settle-batch:pr:21"]),
                result: l("배치 시간 73% 단축(52분 → 14분).", "Batch time down 73% (52 → 14 minutes).", ["settle-batch:pr:21"]))])

        let web = ResumeProject(
            name: "study-log", start: "2021.03", end: "2021.12", skills: ["TypeScript", "React", "Node.js", "MongoDB"],
            repository: "haneul-kim/study-log",
            summary: l("스터디 그룹의 학습 기록을 공유하는 웹 서비스입니다.", "A web service where study groups share their notes.", ["study-log:readme"]),
            bullets: [
                l("4인 팀에서 백엔드 API와 인증을 맡았습니다.", "Owned the backend API and authentication in a team of four.", ["study-log:commits"]),
                l("Node.js와 MongoDB로 게시글, 댓글, 알림 API를 구현했습니다.", "Built post, comment and notification APIs with Node.js and MongoDB.", ["study-log:file:package.json"]),
                l("React 화면의 API 연동과 오류 처리를 함께 작업했습니다.", "Wired the React screens to the API, with error handling.", ["study-log:file:package.json"]),
            ],
            star: STAR(
                situation: l("학기 중 스터디 기록이 여러 메신저에 흩어져 있었습니다.", "Study notes were scattered across messengers.", ["study-log:readme"]),
                task: l("한곳에서 기록을 쓰고 검색할 수 있어야 했습니다.", "Notes had to be written and searched in one place.", ["study-log:readme"]),
                action: l("게시글 API와 전문 검색 인덱스를 구현했습니다.", "Built the post API and a full-text search index.", ["study-log:commits"]),
                result: l("3개 스터디 그룹이 한 학기 동안 사용했습니다.", "Three study groups used it for a semester.", ["study-log:readme"])),
            troubleshooting: [Troubleshooting(
                problem: l("알림 조회 API가 느려졌습니다.", "The notification API became slow.", ["study-log:commits"]),
                hypothesis: l("사용자별 알림 조회에 인덱스가 없다고 보았습니다.", "Per-user notification reads had no index.", ["study-log:commits"]),
                attempt: l("사용자와 작성 시각의 복합 인덱스를 추가했습니다.", "Added a compound index on user and creation time.", ["study-log:commits"]),
                result: l("조회 시간이 줄어 화면이 바로 열리게 되었습니다.", "Reads got faster and the screen opened at once.", ["study-log:commits"]))])

        return Resume(
            language: language, template: template, profile: profile,
            aboutMe: l("결제와 정산처럼 정확성이 중요한 도메인에서 Java, Kotlin, Spring Boot로 백엔드를 만들어 온 개발자입니다. 동시성 문제와 배치 성능을 측정으로 해결하고, 리뷰와 자동화된 테스트로 팀의 배포를 안전하게 만드는 일을 좋아합니다.",
                       "A backend developer who builds with Java, Kotlin and Spring Boot where correctness matters most: payments and settlement. I solve concurrency and batch performance problems by measuring, and make a team's releases safe with reviews and automated tests.",
                       ["market-api:commits", "settle-batch:commits"]),
            techStack: ["Java", "Kotlin", "Spring Boot", "Spring Batch", "MySQL", "PostgreSQL", "Redis", "Docker", "Kubernetes", "GitHub Actions", "TypeScript", "React"],
            projects: [shop, batch, web])
    }
}
