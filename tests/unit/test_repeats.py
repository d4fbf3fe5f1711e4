"""Whether a new registration raises again a matter its citizen raised before
(bot/core/repeats.py).

``PAIRS`` is the seeded set: pairs of registrations of one citizen, the earlier one and the new
one, written as citizens write them. Half raise the same matter again, in other words, shorter or
longer, without accents or in capitals; half raise another matter, most of them with the same
setting (the same school, road, neighbour, commune office or official) and domain words.

Margin at DEFAULT_THRESHOLD (0.6), as last measured: the least similar real repeat scores 0.684
("sand mining and riverbank erosion"), the most similar other matter 0.462 ("certificate
delayed, then the land-use levy"); every pair falls on its side, precision and recall 1.0. The
threshold is a round share near the middle of that gap, not the value these pairs fit best. The
word lists of the rule were reviewed against these pairs, so the figures flatter it: pairs
written after it are the fairer check.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import RegistrationView, RequestKind
from bot.core.repeats import (
    DEFAULT_THRESHOLD,
    content_words,
    likely_repeat,
    matter_text,
    similarity,
)
from bot.core.text import fold
from tests.unit.views import registration_view, session_view

K = RequestKind
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SESSION = session_view(datetime(2026, 3, 10, 8, 0, tzinfo=HANOI))
FILED = datetime(2026, 1, 12, 9, 30, tzinfo=HANOI)


class Matter(NamedTuple):
    summary: str
    request: str
    # As citizens fill it in; the rule leaves it out (matter_text).
    prior_handling: str = ""

    @property
    def text(self) -> str:
        return matter_text(self.summary, self.request)


class Pair(NamedTuple):
    case: str
    kind: RequestKind
    earlier: Matter
    new: Matter
    repeat: bool


COMPENSATION = Matter(
    "Năm 2023 UBND huyện thu hồi 320 m² đất nông nghiệp của gia đình tôi ở thôn Đông để làm "
    "đường vành đai. Giá bồi thường chỉ 65.000 đồng/m², thấp hơn nhiều so với giá thị trường và "
    "thấp hơn mức các hộ liền kề được nhận.",
    "Đề nghị xem xét lại đơn giá bồi thường đất nông nghiệp cho gia đình tôi theo sát giá thị "
    "trường.",
    "Đã gửi đơn đến UBND huyện tháng 9/2023, chưa được trả lời.",
)
CERTIFICATE = Matter(
    "Gia đình tôi nộp hồ sơ xin cấp giấy chứng nhận quyền sử dụng đất (sổ đỏ) cho thửa đất số "
    "112, tờ bản đồ số 7 từ tháng 3/2024 nhưng đến nay Văn phòng đăng ký đất đai vẫn chưa cấp, "
    "cũng không trả lời lý do.",
    "Đề nghị chỉ đạo cơ quan chuyên môn cấp sổ đỏ cho gia đình tôi theo đúng quy định.",
    "Đã hỏi bộ phận một cửa nhiều lần, chỉ được hẹn.",
)
KARAOKE = Matter(
    "Quán karaoke Hoàng Gia ở số 25 đường Lê Lợi hát đến 1–2 giờ sáng, mở loa rất to, gia đình "
    "tôi có người già và trẻ nhỏ không ngủ được.",
    "Đề nghị kiểm tra, xử phạt và buộc quán karaoke chấm dứt gây tiếng ồn ban đêm.",
    "Đã báo công an phường hai lần.",
)
PIG_FARM = Matter(
    "Trại lợn của hộ ông Trần Văn Hùng ở xóm 3 nuôi khoảng 500 con, nước thải chảy thẳng ra "
    "mương, mùi hôi thối bốc lên cả xóm, nhiều người bị ho, ruồi muỗi rất nhiều.",
    "Đề nghị kiểm tra, xử lý ô nhiễm môi trường từ trại lợn và yêu cầu di dời trại ra xa khu "
    "dân cư.",
    "Đã phản ánh với trưởng xóm và xã nhưng không có chuyển biến.",
)
KARAOKE_AGAIN = Matter(
    "Quán karaoke Hoàng Gia vẫn hát ồn ào đến nửa đêm, đã phản ánh nhưng chưa thấy xử lý.",
    "Đề nghị xử lý dứt điểm tiếng ồn karaoke.",
)
KARAOKE_PARKING = Matter(
    "Khách đến quán karaoke Hoàng Gia đỗ ô tô, xe máy kín cả ngõ 25 Lê Lợi, chắn lối ra vào nhà "
    "dân, có lần xe cứu thương không vào được.",
    "Đề nghị lập lại trật tự, cấm đỗ xe trong ngõ.",
)
PENSION = Matter(
    "Tôi nghỉ hưu từ tháng 5/2024, có 28 năm đóng bảo hiểm xã hội nhưng Bảo hiểm xã hội huyện "
    "chỉ tính 25 năm, thiếu 3 năm công tác tại hợp tác xã nên lương hưu bị thấp.",
    "Đề nghị tính lại thời gian đóng bảo hiểm xã hội và điều chỉnh mức lương hưu cho tôi.",
    "Đã gửi đơn đến Bảo hiểm xã hội huyện, được trả lời không có căn cứ.",
)
BRIBE = Matter(
    "Tôi tố cáo ông Lê Văn Nam, cán bộ địa chính xã, đã nhận của tôi 30 triệu đồng để làm thủ "
    "tục tách thửa đất nhưng hơn một năm nay không làm và cũng không trả lại tiền.",
    "Đề nghị xác minh, xử lý nghiêm hành vi nhận tiền của cán bộ địa chính và buộc trả lại tiền "
    "cho tôi.",
    "",
)
SCHOOL_FEES = Matter(
    "Đầu năm học, Trường Tiểu học Kim Đồng thu của mỗi học sinh 1.200.000 đồng gồm quỹ lớp, "
    "tiền mua máy lạnh, tiền xã hội hóa, nhiều khoản không có trong quy định.",
    "Đề nghị kiểm tra các khoản thu đầu năm của nhà trường và trả lại các khoản thu sai cho "
    "phụ huynh.",
    "Phụ huynh đã kiến nghị với nhà trường trong cuộc họp đầu năm.",
)
SUBSIDENCE = Matter(
    "Đoạn đường liên thôn từ thôn Bắc đi thôn Nam dài khoảng 200 m bị sụt lún, nứt toác sau đợt "
    "mưa lớn, xe máy đi qua đã có nhiều người bị ngã.",
    "Đề nghị xã sớm sửa chữa đoạn đường bị sụt lún để bảo đảm an toàn cho người đi lại.",
    "",
)
FLOODING = Matter(
    "Khu dân cư tổ 7 cứ mưa lớn là ngập sâu 40–50 cm do cống thoát nước trên đường Trần Phú bị "
    "tắc và quá nhỏ, nước tràn vào nhà dân.",
    "Đề nghị nạo vét, cải tạo cống thoát nước để chống ngập cho tổ 7.",
    "Tổ dân phố đã có văn bản gửi phường năm 2024.",
)
ENCROACHMENT = Matter(
    "Hộ ông Phạm Văn Tư bên cạnh xây tường rào lấn sang đất nhà tôi khoảng 0,8 m chiều ngang, "
    "dài 15 m. Tôi đã báo thôn nhưng ông vẫn tiếp tục xây.",
    "Đề nghị xã đo đạc lại ranh giới, buộc hộ ông Tư tháo dỡ phần tường rào lấn chiếm.",
    "Trưởng thôn đã hòa giải một lần nhưng không thành.",
)
RECOVERY = Matter(
    "UBND huyện ra quyết định thu hồi toàn bộ 150 m² đất ở của gia đình tôi để xây chợ nhưng "
    "không thông báo trước, không tổ chức đối thoại với gia đình.",
    "Đề nghị hủy quyết định thu hồi đất ở của gia đình tôi vì trái quy định.",
    "",
)

PAIRS: tuple[Pair, ...] = (
    # --- the same matter raised again ------------------------------------------------------
    Pair(
        "compensation price, 'not yet resolved'",
        K.COMPLAINT,
        COMPENSATION,
        Matter(
            "Tôi đã gửi đơn khiếu nại về giá bồi thường đất làm đường vành đai nhưng đến nay chưa "
            "được giải quyết. 320 m² đất nông nghiệp của gia đình tôi chỉ được bồi thường 65 "
            "nghìn đồng một mét vuông.",
            "Đề nghị lãnh đạo xem xét lại giá bồi thường, áp giá như các hộ liền kề.",
            "Đã đăng ký tiếp dân tháng 3, được hẹn trả lời nhưng chưa có kết quả.",
        ),
        True,
    ),
    Pair(
        "land-use certificate, without accents, 'lần 2'",
        K.COMPLAINT,
        CERTIFICATE,
        Matter(
            "Lan 2 toi trinh bay: ho so cap so do thua 112 to ban do so 7 nop tu thang 3 nam "
            "2024, van phong dang ky dat dai van chua cap va khong tra loi ly do.",
            "De nghi cap giay chung nhan quyen su dung dat cho gia dinh toi.",
            "Da dang ky gap lanh dao thang truoc, chua co ket qua.",
        ),
        True,
    ),
    Pair(
        "construction permit, in capitals",
        K.COMPLAINT,
        Matter(
            "Tôi xin cấp giấy phép xây dựng nhà ở riêng lẻ 3 tầng trên đất ở của mình tại tổ dân "
            "phố 4 nhưng bị UBND phường từ chối với lý do khu đất nằm trong quy hoạch công viên, "
            "trong khi quy hoạch này đã hết hiệu lực từ năm 2022.",
            "Đề nghị hủy văn bản từ chối và cấp giấy phép xây dựng cho tôi.",
        ),
        Matter(
            "KHIẾU NẠI VIỆC PHƯỜNG TỪ CHỐI CẤP GIẤY PHÉP XÂY DỰNG NHÀ 3 TẦNG VÌ CHO RẰNG ĐẤT NẰM "
            "TRONG QUY HOẠCH CÔNG VIÊN ĐÃ HẾT HIỆU LỰC.",
            "YÊU CẦU CẤP PHÉP XÂY NHÀ CHO TÔI.",
            "ĐÃ GỬI ĐƠN NHƯNG CHƯA ĐƯỢC GIẢI QUYẾT.",
        ),
        True,
    ),
    Pair(
        "karaoke noise, much shorter",
        K.FEEDBACK,
        KARAOKE,
        KARAOKE_AGAIN,
        True,
    ),
    Pair(
        "pig farm pollution, other words",
        K.FEEDBACK,
        PIG_FARM,
        Matter(
            "Tiếp tục phản ánh trại nuôi lợn ở xóm 3 xả nước thải ra mương gây mùi hôi, ô nhiễm "
            "môi trường, bà con trong xóm rất bức xúc.",
            "Yêu cầu xử lý dứt điểm trại lợn gây ô nhiễm.",
            "Đã phản ánh với xã từ đầu năm.",
        ),
        True,
    ),
    Pair(
        "pension, order changed",
        K.COMPLAINT,
        PENSION,
        Matter(
            "Bảo hiểm xã hội tính thiếu 3 năm tôi công tác ở hợp tác xã khi giải quyết lương hưu. "
            "Tôi đã có đơn từ năm ngoái, đến nay vẫn chưa được trả lời.",
            "Đề nghị cộng đủ 28 năm đóng bảo hiểm và tính lại lương hưu.",
        ),
        True,
    ),
    Pair(
        "official took money, restated",
        K.DENUNCIATION,
        BRIBE,
        Matter(
            "Cán bộ địa chính Lê Văn Nam nhận 30 triệu của tôi, hứa làm tách thửa nhưng đến nay "
            "vẫn chưa làm, chưa trả tiền. Tôi đã tố cáo nhưng chưa có kết quả.",
            "Yêu cầu xử lý cán bộ nhận tiền và trả lại tiền cho tôi.",
        ),
        True,
    ),
    Pair(
        "school fees, 'lần 2'",
        K.PETITION,
        SCHOOL_FEES,
        Matter(
            "Kiến nghị lần 2 về việc Trường Tiểu học Kim Đồng lạm thu đầu năm học: tiền máy lạnh, "
            "quỹ lớp, xã hội hóa.",
            "Đề nghị thanh tra các khoản thu của trường.",
        ),
        True,
    ),
    Pair(
        "road subsidence, worse now",
        K.PETITION,
        SUBSIDENCE,
        Matter(
            "Đường liên thôn Bắc – Nam sụt lún ngày càng nặng, lại có người ngã xe. Đã kiến nghị "
            "từ tháng trước mà chưa thấy sửa.",
            "Đề nghị khẩn trương sửa chữa đường.",
        ),
        True,
    ),
    Pair(
        "flood drainage, shorter",
        K.PETITION,
        FLOODING,
        Matter(
            "Tổ 7 vẫn ngập mỗi khi mưa, cống thoát nước đường Trần Phú tắc mà chưa được nạo vét.",
            "Đề nghị nạo vét và mở rộng cống thoát nước.",
        ),
        True,
    ),
    Pair(
        "boundary encroachment, restated",
        K.PETITION,
        ENCROACHMENT,
        Matter(
            "Nhà ông Tư xây tường lấn sang đất nhà tôi gần 1 mét, xã vẫn chưa xuống đo đạc ranh "
            "giới.",
            "Yêu cầu đo lại ranh giới và tháo dỡ tường rào lấn chiếm.",
        ),
        True,
    ),
    Pair(
        "land recovery decision, lower case without accents",
        K.COMPLAINT,
        RECOVERY,
        Matter(
            "khieu nai quyet dinh thu hoi 150m2 dat o de xay cho, khong thong bao truoc cho gia "
            "dinh",
            "huy quyet dinh thu hoi dat",
        ),
        True,
    ),
    Pair(
        "resettlement land, much longer",
        K.COMPLAINT,
        Matter(
            "Gia đình tôi bị thu hồi hết đất ở để làm Khu công nghiệp Phú Thịnh từ năm 2021, "
            "thuộc diện được bố trí tái định cư nhưng đến nay vẫn chưa được giao đất tái định cư, "
            "phải đi thuê nhà.",
            "Đề nghị sớm giao đất tái định cư cho gia đình tôi.",
        ),
        Matter(
            "Tôi xin trình bày lại: từ năm 2021 Nhà nước thu hồi toàn bộ đất ở của gia đình tôi "
            "để xây dựng Khu công nghiệp Phú Thịnh. Theo phương án được duyệt, gia đình tôi được "
            "bố trí một lô đất tái định cư, nhưng đã bốn năm vẫn chưa được bốc thăm, giao đất. Cả "
            "nhà năm người phải thuê nhà trọ, mỗi tháng mất 3 triệu đồng.",
            "Đề nghị giao ngay lô đất tái định cư cho gia đình tôi và hỗ trợ tiền thuê nhà trong "
            "thời gian chờ.",
            "Đã gửi đơn 3 lần đến Ban quản lý dự án, chưa được giải quyết.",
        ),
        True,
    ),
    Pair(
        "sand mining and riverbank erosion",
        K.FEEDBACK,
        Matter(
            "Ban đêm có nhiều tàu hút cát trái phép trên sông Lam đoạn qua thôn Trung, gây sạt lở "
            "bờ sông, đất vườn nhà tôi bị sụt mất mấy mét.",
            "Đề nghị chính quyền ngăn chặn khai thác cát trái phép và kè bờ sông.",
        ),
        Matter(
            "Tàu hút cát vẫn hoạt động về đêm trên sông Lam, bờ sông chỗ thôn Trung sạt lở thêm, "
            "đe dọa nhà dân.",
            "Yêu cầu xử lý nghiêm việc hút cát trái phép.",
        ),
        True,
    ),
    # --- another matter from the same citizen, often in the same words' domain ------------
    Pair(
        "compensation price, then a boundary dispute",
        K.COMPLAINT,
        COMPENSATION,
        Matter(
            "Khiếu nại việc UBND xã xác định ranh giới thửa đất giữa nhà tôi và nhà ông Sáu ở "
            "thôn Đông không đúng hiện trạng, để nhà ông Sáu lấn sang đất của gia đình tôi hơn "
            "1 m.",
            "Đề nghị đo đạc lại, xác định đúng ranh giới thửa đất cho gia đình tôi.",
        ),
        False,
    ),
    Pair(
        "same one-stop office, birth registration then a gift contract",
        K.COMPLAINT,
        Matter(
            "Tôi nộp hồ sơ đăng ký khai sinh cho cháu nội tại bộ phận một cửa UBND xã An Phú từ "
            "ngày 2/6 nhưng quá hạn 10 ngày vẫn chưa được trả kết quả, cán bộ không giải thích lý "
            "do.",
            "Đề nghị xã trả kết quả khai sinh cho cháu và chấn chỉnh cán bộ một cửa.",
        ),
        Matter(
            "Bộ phận một cửa UBND xã An Phú từ chối chứng thực hợp đồng tặng cho nhà đất của mẹ "
            "tôi cho tôi mà không nêu lý do.",
            "Đề nghị xã chứng thực hợp đồng tặng cho theo quy định.",
        ),
        False,
    ),
    Pair(
        "certificate delayed, then the land-use levy",
        K.COMPLAINT,
        CERTIFICATE,
        Matter(
            "Sau khi được cấp giấy chứng nhận, Chi cục Thuế thông báo gia đình tôi phải nộp 180 "
            "triệu đồng tiền sử dụng đất, tính theo bảng giá đất năm 2025, trong khi hồ sơ nộp từ "
            "năm 2024.",
            "Đề nghị tính lại tiền sử dụng đất theo giá đất tại thời điểm nộp hồ sơ.",
        ),
        False,
    ),
    Pair(
        "karaoke noise, then its customers' parking",
        K.FEEDBACK,
        KARAOKE,
        KARAOKE_PARKING,
        False,
    ),
    Pair(
        "pig farm, then rubbish dumped by the same ditch",
        K.FEEDBACK,
        PIG_FARM,
        Matter(
            "Một số hộ ở xóm 3 đổ rác thải sinh hoạt bừa bãi ra bờ mương, rác bốc mùi hôi, gây ô "
            "nhiễm môi trường.",
            "Đề nghị bố trí điểm tập kết rác và xe thu gom rác định kỳ cho xóm.",
        ),
        False,
    ),
    Pair(
        "own pension, then a survivor's allowance",
        K.COMPLAINT,
        PENSION,
        Matter(
            "Chồng tôi mất tháng 1/2025, có 20 năm đóng bảo hiểm xã hội, nhưng Bảo hiểm xã hội "
            "huyện chỉ giải quyết trợ cấp tuất một lần, không giải quyết tuất hằng tháng cho mẹ "
            "chồng tôi 82 tuổi, không có thu nhập.",
            "Đề nghị giải quyết chế độ tuất hằng tháng cho mẹ chồng tôi theo đúng Luật Bảo hiểm "
            "xã hội.",
        ),
        False,
    ),
    Pair(
        "land officer took money, then a village head's road levy",
        K.DENUNCIATION,
        BRIBE,
        Matter(
            "Tôi tố cáo ông Nguyễn Văn Bình, trưởng thôn Đông, thu của mỗi hộ 2 triệu đồng để làm "
            "đường bê tông nhưng không công khai thu chi, đến nay đường vẫn chưa làm.",
            "Đề nghị kiểm tra việc thu tiền làm đường của trưởng thôn và công khai số tiền đã "
            "thu.",
        ),
        False,
    ),
    Pair(
        "school fees, then classrooms at the same school",
        K.PETITION,
        SCHOOL_FEES,
        Matter(
            "Trường Tiểu học Kim Đồng thiếu phòng học, năm nay các lớp 1 phải học hai ca, học "
            "sinh buổi chiều học đến 6 giờ tối mới về.",
            "Kiến nghị đầu tư xây thêm phòng học cho nhà trường.",
        ),
        False,
    ),
    Pair(
        "road subsidence, then street lights on the same road",
        K.PETITION,
        SUBSIDENCE,
        Matter(
            "Đường liên thôn từ thôn Bắc đi thôn Nam không có đèn chiếu sáng, ban đêm tối om, học "
            "sinh đi học thêm về rất nguy hiểm.",
            "Đề nghị lắp đèn chiếu sáng trên đường liên thôn.",
        ),
        False,
    ),
    Pair(
        "flooding, then clean water in the same ward group",
        K.PETITION,
        FLOODING,
        Matter(
            "Nước giếng khoan ở tổ 7 bị nhiễm phèn, có mùi tanh, bà con phải mua nước bình để nấu "
            "ăn; đường ống nước sạch chạy qua đường Trần Phú nhưng chưa đấu nối vào tổ.",
            "Đề nghị kéo đường ống nước sạch vào khu dân cư tổ 7.",
        ),
        False,
    ),
    Pair(
        "neighbour's wall, then the same neighbour's tree",
        K.PETITION,
        ENCROACHMENT,
        Matter(
            "Cây bạch đàn nhà ông Phạm Văn Tư trồng sát nhà tôi đã cao hơn 15 m, mùa mưa bão "
            "nghiêng hẳn sang mái nhà tôi, rất nguy hiểm.",
            "Đề nghị xã yêu cầu hộ ông Tư chặt hạ cây bạch đàn.",
        ),
        False,
    ),
    Pair(
        "land recovery decision, then a fine for a cowshed",
        K.COMPLAINT,
        RECOVERY,
        Matter(
            "UBND xã ra quyết định xử phạt gia đình tôi 5 triệu đồng vì xây chuồng bò trên đất "
            "nông nghiệp, trong khi đây là đất được phép làm chuồng trại theo quy hoạch.",
            "Đề nghị hủy quyết định xử phạt hành chính đối với gia đình tôi.",
        ),
        False,
    ),
    Pair(
        "same commune office, land-use change then the poor-household list",
        K.COMPLAINT,
        Matter(
            "Tôi nộp đơn xin chuyển mục đích sử dụng 200 m² đất vườn sang đất ở từ tháng 8/2024 "
            "nhưng UBND xã Tân Lập không trả lời, cũng không chuyển hồ sơ lên cấp trên.",
            "Đề nghị xã giải quyết hồ sơ chuyển mục đích sử dụng đất cho tôi.",
        ),
        Matter(
            "UBND xã Tân Lập loại mẹ tôi ra khỏi danh sách hộ nghèo năm 2025 dù bà đã 78 tuổi, "
            "sống một mình, không có thu nhập.",
            "Đề nghị xét lại và đưa mẹ tôi vào danh sách hộ nghèo.",
        ),
        False,
    ),
    Pair(
        "same commune chairman, public land lease then housing aid",
        K.DENUNCIATION,
        Matter(
            "Tôi tố cáo Chủ tịch UBND xã Hòa Bình chỉ đạo cho thuê 2 ha đất công ích ven sông với "
            "giá rất thấp cho người nhà, không qua đấu giá.",
            "Đề nghị thanh tra việc cho thuê đất công ích của xã và xử lý sai phạm.",
        ),
        Matter(
            "Tôi tố cáo Chủ tịch UBND xã Hòa Bình nhận tiền của một số hộ để đưa vào danh sách "
            "được hỗ trợ nhà ở cho người có công, trong khi các hộ khó khăn thật sự thì không "
            "được xét.",
            "Đề nghị xác minh việc xét hỗ trợ nhà ở và xử lý chủ tịch xã nếu có sai phạm.",
        ),
        False,
    ),
)


REPEATS = tuple(pair for pair in PAIRS if pair.repeat)


def filed(
    matter: Matter, kind: RequestKind, at: datetime = FILED, code: str = "K7MQ-X4PD"
) -> RegistrationView:
    """The earlier registration, as the officers' side reads it."""
    return registration_view(
        SESSION,
        at,
        date(2026, 1, 26),
        kind=kind,
        code=code,
        summary=matter.summary,
        request=matter.request,
        prior_handling=matter.prior_handling,
    )


def flagged(pair: Pair) -> bool:
    earlier = filed(pair.earlier, pair.kind)
    return likely_repeat(pair.kind, pair.new.text, [earlier]) is earlier


def test_the_seeded_set_is_large_and_balanced() -> None:
    assert len(PAIRS) >= 24
    assert len(REPEATS) * 2 == len(PAIRS)
    assert len({pair.case for pair in PAIRS}) == len(PAIRS)


def test_repeats_are_told_from_other_matters() -> None:
    hits = {pair.case for pair in PAIRS if flagged(pair)}
    repeats = {pair.case for pair in REPEATS}
    precision = len(hits & repeats) / len(hits) if hits else 0.0
    recall = len(hits & repeats) / len(repeats)
    scores = {pair.case: similarity(pair.new.text, pair.earlier.text) for pair in PAIRS}
    lowest_repeat = min(scores[case] for case in repeats)
    highest_other = max(score for case, score in scores.items() if case not in repeats)
    figures = (
        f"at threshold {DEFAULT_THRESHOLD}: precision {precision:.3f}, recall {recall:.3f}; "
        f"lowest repeat {lowest_repeat:.3f}, highest other matter {highest_other:.3f}; "
        f"missed {sorted(repeats - hits)}, wrongly flagged {sorted(hits - repeats)}"
    )
    assert precision >= 0.9, figures
    assert recall >= 0.9, figures


@pytest.mark.parametrize("pair", REPEATS, ids=[pair.case for pair in REPEATS])
def test_another_kind_never_counts(pair: Pair) -> None:
    for kind in RequestKind:
        if kind is not pair.kind:
            same_words = filed(pair.new, kind)
            assert likely_repeat(pair.kind, pair.new.text, [same_words]) is None


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.case for pair in PAIRS])
def test_accents_and_case_do_not_matter(pair: Pair) -> None:
    found = flagged(pair)
    for retyped in (fold(pair.new.text), pair.new.text.upper(), fold(pair.new.text).upper()):
        earlier = filed(pair.earlier, pair.kind)
        assert (likely_repeat(pair.kind, retyped, [earlier]) is earlier) is found
    unaccented = filed(Matter(fold(pair.earlier.summary), fold(pair.earlier.request)), pair.kind)
    assert (likely_repeat(pair.kind, pair.new.text, [unaccented]) is unaccented) is found


def test_a_text_without_accents_loses_only_its_ambiguous_words() -> None:
    text = KARAOKE.text
    assert content_words(text.upper()) == content_words(text)
    # "to" is "loud" as written, but could be "tổ" (a residents' group) when typed bare.
    assert content_words(text) - content_words(fold(text)) == {"to"}
    assert similarity(text, fold(text).upper()) == 1.0


def test_function_words_and_formulas_carry_no_weight() -> None:
    words = content_words("Tôi đề nghị xã sớm nạo vét cống thoát nước ở tổ 7.")
    assert words == {"nao", "vet", "cong", "thoat", "nuoc"}
    # "gia" alone is a price: only the two-syllable "gia đình" is a formula.
    assert "gia" in content_words("Giá bồi thường của gia đình tôi quá thấp.")
    assert similarity("Tôi xin đề nghị giải quyết.", "Đề nghị xem xét, giải quyết cho tôi.") == 0


def test_a_few_words_are_too_few_to_call_a_repeat() -> None:
    earlier = filed(COMPENSATION, K.COMPLAINT)
    assert similarity("Bồi thường đất", COMPENSATION.text) == 0.5
    assert likely_repeat(K.COMPLAINT, "Bồi thường đất", [earlier]) is None


def test_nothing_earlier_is_no_repeat() -> None:
    assert likely_repeat(K.COMPLAINT, COMPENSATION.text, []) is None
    assert likely_repeat(K.COMPLAINT, "", [filed(COMPENSATION, K.COMPLAINT)]) is None


def test_the_most_similar_is_chosen_not_the_first() -> None:
    other_matter = filed(KARAOKE_PARKING, K.FEEDBACK, code="OTHER")
    first_time = filed(KARAOKE, K.FEEDBACK, code="FIRST")
    # Older, but in the very words of the new one.
    same_words = filed(KARAOKE_AGAIN, K.FEEDBACK, FILED - timedelta(days=60), code="SAME")
    earlier = [other_matter, first_time, same_words]
    assert likely_repeat(K.FEEDBACK, KARAOKE_AGAIN.text, earlier) is same_words
    assert likely_repeat(K.FEEDBACK, KARAOKE_AGAIN.text, earlier[:2]) is first_time


def test_the_newest_of_equally_similar_ones_is_chosen() -> None:
    older = filed(PENSION, K.COMPLAINT, FILED - timedelta(days=90), code="OLDER")
    newer = filed(PENSION, K.COMPLAINT, FILED, code="NEWER")
    assert likely_repeat(K.COMPLAINT, PENSION.text, [older, newer]) is newer
    assert likely_repeat(K.COMPLAINT, PENSION.text, [newer, older]) is newer


def test_the_threshold_itself_counts() -> None:
    earlier = filed(KARAOKE, K.FEEDBACK)
    score = similarity(KARAOKE_AGAIN.text, KARAOKE.text)
    assert likely_repeat(K.FEEDBACK, KARAOKE_AGAIN.text, [earlier], score) is earlier
    assert likely_repeat(K.FEEDBACK, KARAOKE_AGAIN.text, [earlier], score + 0.01) is None
